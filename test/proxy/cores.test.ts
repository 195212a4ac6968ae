import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cgroupCpuLimit, sizeToCores } from '../../proxy/src/cores';

/** A fake cgroup root holding the given files. */
function cgroup(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'portico-cgroup-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const eight = () => 8;

describe('sizeToCores', () => {
  it('takes an explicit count first', () => {
    expect(sizeToCores(3, { cgroupRoot: cgroup({ 'cpu.max': '100000 100000\n' }), availableParallelism: eight })).toBe(3);
  });

  it('rejects an explicit count that is not a whole number >= 1', () => {
    expect(() => sizeToCores(0)).toThrow('instance count must be a whole number >= 1, got 0');
    expect(() => sizeToCores(1.5)).toThrow('got 1.5');
  });

  it('reads a cgroup v2 quota (docker --cpus 2)', () => {
    expect(sizeToCores(undefined, { cgroupRoot: cgroup({ 'cpu.max': '200000 100000\n' }), availableParallelism: eight })).toBe(2);
  });

  it('reads a cgroup v1 quota', () => {
    const root = cgroup({ 'cpu/cpu.cfs_quota_us': '300000\n', 'cpu/cpu.cfs_period_us': '100000\n' });
    expect(sizeToCores(undefined, { cgroupRoot: root, availableParallelism: eight })).toBe(3);
  });

  it('clamps a fractional quota below one core to 1 (docker --cpus 0.5)', () => {
    expect(sizeToCores(undefined, { cgroupRoot: cgroup({ 'cpu.max': '50000 100000\n' }), availableParallelism: eight })).toBe(1);
  });

  it('falls back to availableParallelism when unlimited or absent', () => {
    expect(sizeToCores(undefined, { cgroupRoot: cgroup({ 'cpu.max': 'max 100000\n' }), availableParallelism: eight })).toBe(8);
    expect(sizeToCores(undefined, { cgroupRoot: cgroup({ 'cpu/cpu.cfs_quota_us': '-1\n', 'cpu/cpu.cfs_period_us': '100000\n' }), availableParallelism: eight })).toBe(8);
    expect(sizeToCores(undefined, { cgroupRoot: cgroup({}), availableParallelism: eight })).toBe(8);
  });

  it('never exceeds the cores the machine has, whatever the quota', () => {
    expect(sizeToCores(undefined, { cgroupRoot: cgroup({ 'cpu.max': '1600000 100000\n' }), availableParallelism: () => 2 })).toBe(2);
  });

  it('reports the raw quota', () => {
    expect(cgroupCpuLimit(cgroup({ 'cpu.max': '150000 100000\n' }))).toBe(1.5);
    expect(cgroupCpuLimit(cgroup({}))).toBeNull();
  });
});
