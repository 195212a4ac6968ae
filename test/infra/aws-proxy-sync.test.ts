// The proxy VM's sync script (portico-sync), run for real with sh: its paths moved into a temporary
// folder, `aws`, `docker` and `chown` replaced by stubs that record their argv. What matters is
// the direction of every ACME transfer: `aws s3 sync` S3 -> disk downloads an object whenever the
// local file is NEWER than it or differs in size (aws-cli's documented rule for downloads), so a
// down-sync after the proxy renewed a certificate puts the old one back. `sleep` and `logger` are
// stubs too (the boot download's backoff and its log lines), and `aws s3 sync` fails as many times
// as the file sync-failures says.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { planStack } from '../../infra/plan';
import { BOOT_ATTEMPTS, proxyVmCloudConfig, SYNC_SCRIPT } from '../../infra/targets/aws/proxy-user-data';

const ACME_DIR = '/var/lib/portico/acme';

let root: string;
let calls: string;
let syncFailures: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'portico-sync-'));
  const bin = path.join(root, 'bin');
  mkdirSync(bin);
  mkdirSync(path.join(root, 'etc/portico/tls'), { recursive: true });
  mkdirSync(path.join(root, ACME_DIR), { recursive: true });
  calls = path.join(root, 'calls');
  syncFailures = path.join(root, 'sync-failures');
  // `aws s3 cp <src> <dst>` writes the destination (a fresh object each time), everything else only logs.
  const stub = (name: string, body = '') => {
    writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> ${JSON.stringify(calls)}\n${body}`);
    chmodSync(path.join(bin, name), 0o755);
  };
  stub(
    'aws',
    'if [ "$1 $2" = "s3 cp" ]; then for last; do :; done; echo "from s3 $(date +%s%N)" > "$last"; fi\n' +
      `if [ "$1 $2" = "s3 sync" ] && [ -s ${JSON.stringify(syncFailures)} ]; then n=$(cat ${JSON.stringify(syncFailures)}); ` +
      `if [ "$n" -gt 0 ]; then echo $((n - 1)) > ${JSON.stringify(syncFailures)}; echo "fatal error: could not connect" >&2; exit 1; fi; fi\n`,
  );
  stub('docker');
  stub('chown');
  stub('sleep');
  stub('logger');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function runSync(...args: string[]): string[] {
  return runSyncAs('order', ...args);
}

function runSyncAs(acmeMode: 'order' | 'follow', ...args: string[]): string[] {
  return runSyncFailing(0, acmeMode, ...args).calls;
}

/** The script run with `aws s3 sync` failing its first `failures` times: the stubs' calls and its stderr. */
function runSyncFailing(failures: number, acmeMode: 'order' | 'follow', ...args: string[]): { calls: string[]; stderr: string } {
  const plan = planStack({ stackName: 'web', target: 'aws', cores: 2, appVms: 1, hostnames: ['shop.example.com'] });
  const config = proxyVmCloudConfig({ image: 'proxy@sha256:1', region: 'eu-west-1', bucket: 'b', prefix: 'proxy', proxy: plan.proxy, tls: 'acme', acmeMode });
  const script = config.write_files!.find((f) => f.path === SYNC_SCRIPT)!.content;
  // Every absolute path of the VM moved under the temporary root.
  const local = script.replace(/(?<![\w/])\/(etc|var)\//g, `${root}/$1/`);
  writeFileSync(path.join(root, 'sync.sh'), local);
  writeFileSync(calls, '');
  writeFileSync(syncFailures, String(failures));
  const stderrFile = path.join(root, 'stderr');
  execFileSync('sh', ['-c', `sh ${JSON.stringify(path.join(root, 'sync.sh'))} "$@" 2>${JSON.stringify(stderrFile)}`, 'sync', ...args], {
    env: { ...process.env, PATH: `${path.join(root, 'bin')}:${process.env.PATH}` },
  });
  return { calls: readFileSync(calls, 'utf8').trim().split('\n'), stderr: readFileSync(stderrFile, 'utf8') };
}

const syncs = (lines: string[]) => lines.filter((l) => l.startsWith('aws s3 sync'));
const isDown = (line: string) => /aws s3 sync .*s3:\/\/\S+ \S*\/var\/lib\/portico\/acme/.test(line);
const isUp = (line: string) => /aws s3 sync .*\/var\/lib\/portico\/acme s3:\/\//.test(line);

test('restores the ACME state from S3 at boot, before the proxy starts', () => {
  const boot = syncs(runSync('--boot'));
  expect(boot.some(isDown)).toBe(true);
});

test('never downloads the ACME state over what the running proxy wrote (a renewed certificate is newer than S3)', () => {
  const periodic = syncs(runSync());
  expect(periodic.filter(isDown)).toEqual([]);
  expect(periodic.filter(isUp)).toHaveLength(1);
});

test('uploads the ACME folder without following symlinks the unprivileged proxy could plant there', () => {
  const [up] = syncs(runSync()).filter(isUp);
  expect(up).toContain('--no-follow-symlinks');
  expect(up).toContain('--exclude *.tmp');
});

test('an ACME follower downloads the ACME state at boot and on every run, without the account key, and never uploads', () => {
  for (const run of [runSyncAs('follow', '--boot'), runSyncAs('follow')]) {
    const transfers = syncs(run);
    expect(transfers.filter(isUp)).toEqual([]);
    expect(transfers.filter(isDown)).toHaveLength(1);
    expect(transfers[0]).toContain('--exclude account.key');
    expect(run).toContain('aws s3 cp --only-show-errors s3://b/proxy/config-follower.json ' + `${root}/etc/portico/config.json.new`);
  }
});

test('the ordering proxy retries a failed boot download of its ACME state with backoff, then goes on quietly', () => {
  const { calls: run, stderr } = runSyncFailing(2, 'order', '--boot');
  expect(syncs(run).filter(isDown)).toHaveLength(3);
  expect(run.filter((l) => l.startsWith('sleep'))).toEqual(['sleep 2', 'sleep 4']);
  expect(stderr).toContain('portico-sync: attempt 1 of 5 failed: aws s3 sync');
  expect(stderr).not.toContain('ERROR');
});

test('the ordering proxy whose boot download keeps failing logs the failure loudly and still exits 0 (the proxy starts)', () => {
  const { calls: run, stderr } = runSyncFailing(BOOT_ATTEMPTS, 'order', '--boot');
  expect(syncs(run).filter(isDown)).toHaveLength(BOOT_ATTEMPTS);
  expect(run.filter((l) => l.startsWith('sleep'))).toEqual(['sleep 2', 'sleep 4', 'sleep 8', 'sleep 16']);
  const error = /ERROR: the ACME state \(account, certificates\) could not be downloaded from s3:\/\/b\/proxy\/acme after 5 attempts; the proxy starts without it/;
  expect(stderr).toMatch(error);
  // The journal gets it too, at error priority.
  expect(run.find((l) => l.startsWith('logger -t portico-sync -p user.err -- ERROR'))).toMatch(error);
  // The rest of the boot run still happens (ownership for the unprivileged proxy).
  expect(run.some((l) => l.startsWith('chown -R'))).toBe(true);
});
