// A reload (SIGHUP) that drops a name while the ACME automation is still going through its names
// (a start after a mode switch, a re-read, an earlier reload adding names): names are taken one
// after the other, so the dropped name must not come back later in that same pass.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { AcmeFollower } from '../../proxy/src/acme/acme-follower';
import { AcmeManager, type CertificateAutomation, type CertificateSink } from '../../proxy/src/acme/acme-manager';
import type { ResolvedAcme } from '../../proxy/src/config/resolved';

const FIRST = 'a.portico.test';
const DROPPED = 'b.portico.test';

/** What the TLS listeners would serve; runs `onFirstInstall` inside the first install (mid-pass). */
class ServedNames implements CertificateSink {
  readonly served = new Set<string>();
  onFirstInstall: (() => void) | null = null;
  install(hostname: string): void {
    this.served.add(hostname);
    const hook = this.onFirstInstall;
    this.onFirstInstall = null;
    hook?.();
  }
  remove(hostname: string): void {
    this.served.delete(hostname);
  }
}

describe('ACME automation reconfigured while it goes through its names', () => {
  let storage: string;
  let automation: CertificateAutomation | null = null;
  beforeEach(async () => {
    storage = await mkdtemp(path.join(os.tmpdir(), 'portico-acme-race-'));
  });
  afterEach(async () => {
    automation?.close();
    automation = null;
    await rm(storage, { recursive: true, force: true });
  });

  const settings = (mode: ResolvedAcme['mode'], hostnames: string[]): ResolvedAcme => ({
    hostnames,
    email: null,
    directory: 'https://127.0.0.1:9/nothing-listens', // orders fail at once, retried in an hour
    storage,
    caFile: null,
    renewBefore: 0,
    retryMin: 3_600_000,
    retryMax: 3_600_000,
    mode,
    followInterval: 3_600_000,
  });

  for (const mode of ['order', 'follow'] as const) {
    it(`${mode}: a name dropped by a reload mid-pass is neither served nor followed afterwards`, async () => {
      const sink = new ServedNames();
      const log = pino({ level: 'silent' });
      const a =
        mode === 'order'
          ? new AcmeManager(settings(mode, [FIRST, DROPPED]), sink, log, { networkRetries: 0, networkRetryDelaySeconds: 0.01 })
          : new AcmeFollower(settings(mode, [FIRST, DROPPED]), sink, log);
      automation = a;
      let reconfigured: Promise<void> | null = null;
      sink.onFirstInstall = () => {
        reconfigured = a.reconfigure(settings(mode, [FIRST]));
      };
      await a.start();
      await reconfigured;
      if (a instanceof AcmeFollower) await a.refresh();
      expect([...sink.served]).toEqual([FIRST]);
      expect(a.status().map((s) => s.hostname)).toEqual([FIRST]);
    });
  }
});
