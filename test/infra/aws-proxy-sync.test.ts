// The proxy VM's sync script (portico-sync), run for real with sh: its paths moved into a temporary
// folder, `aws`, `docker` and `chown` replaced by stubs that record their argv. What matters is
// the direction of every ACME transfer: `aws s3 sync` S3 -> disk downloads an object whenever the
// local file is NEWER than it or differs in size (aws-cli's documented rule for downloads), so a
// down-sync after the proxy renewed a certificate puts the old one back.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { planStack } from '../../infra/plan';
import { proxyVmCloudConfig, SYNC_SCRIPT } from '../../infra/targets/aws/proxy-user-data';

const ACME_DIR = '/var/lib/portico/acme';

let root: string;
let calls: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'portico-sync-'));
  const bin = path.join(root, 'bin');
  mkdirSync(bin);
  mkdirSync(path.join(root, 'etc/portico/tls'), { recursive: true });
  mkdirSync(path.join(root, ACME_DIR), { recursive: true });
  calls = path.join(root, 'calls');
  // `aws s3 cp <src> <dst>` writes the destination (a fresh object each time), everything else only logs.
  const stub = (name: string, body = '') => {
    writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> ${JSON.stringify(calls)}\n${body}`);
    chmodSync(path.join(bin, name), 0o755);
  };
  stub('aws', 'if [ "$1 $2" = "s3 cp" ]; then for last; do :; done; echo "from s3 $(date +%s%N)" > "$last"; fi\n');
  stub('docker');
  stub('chown');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function runSync(...args: string[]): string[] {
  return runSyncAs('order', ...args);
}

function runSyncAs(acmeMode: 'order' | 'follow', ...args: string[]): string[] {
  const plan = planStack({ stackName: 'web', target: 'aws', cores: 2, appVms: 1, hostnames: ['shop.example.com'] });
  const config = proxyVmCloudConfig({ image: 'proxy@sha256:1', region: 'eu-west-1', bucket: 'b', prefix: 'proxy', proxy: plan.proxy, tls: 'acme', acmeMode });
  const script = config.write_files!.find((f) => f.path === SYNC_SCRIPT)!.content;
  // Every absolute path of the VM moved under the temporary root.
  const local = script.replace(/(?<![\w/])\/(etc|var)\//g, `${root}/$1/`);
  writeFileSync(path.join(root, 'sync.sh'), local);
  writeFileSync(calls, '');
  execFileSync('sh', [path.join(root, 'sync.sh'), ...args], { env: { ...process.env, PATH: `${path.join(root, 'bin')}:${process.env.PATH}` } });
  return readFileSync(calls, 'utf8').trim().split('\n');
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
