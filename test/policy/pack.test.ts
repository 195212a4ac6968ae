// The pack as a whole: every policy the modules define is in the list the entry file constructs
// the PolicyPack from, each once, each mandatory; the pack's own files say how Pulumi runs it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as buckets from '../../policy/policies/buckets';
import * as docker from '../../policy/policies/docker';
import { policies } from '../../policy/policies';
import * as instances from '../../policy/policies/instances';
import * as securityGroups from '../../policy/policies/security-groups';

const POLICY_DIR = join(__dirname, '../../policy');

const definedPolicies = [buckets, docker, instances, securityGroups].flatMap((module) =>
  Object.values(module).filter((value) => typeof value === 'object' && value !== null && 'name' in value && ('validateResource' in value || 'validateStack' in value)),
);

describe('portico-security policy pack', () => {
  it('lists every policy the modules define, each once', () => {
    expect(definedPolicies.length).toBeGreaterThanOrEqual(8);
    expect(new Set(policies)).toEqual(new Set(definedPolicies));
    const names = policies.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('makes every policy mandatory and describes it', () => {
    for (const policy of policies) {
      expect([policy.name, policy.enforcementLevel]).toEqual([policy.name, 'mandatory']);
      expect(policy.description.length).toBeGreaterThan(20);
    }
  });

  it('is a Node.js policy pack whose entry constructs the PolicyPack from that list', () => {
    expect(parse(readFileSync(join(POLICY_DIR, 'PulumiPolicy.yaml'), 'utf8'))).toMatchObject({ runtime: 'nodejs' });
    const entry = readFileSync(join(POLICY_DIR, 'index.ts'), 'utf8');
    expect(entry).toMatch(/import \{ policies \} from '\.\/policies';/);
    expect(entry).toMatch(/new PolicyPack\('portico-security', \{[^}]*enforcementLevel: 'mandatory',\s*policies,/s);
  });

  it('pins the Pulumi SDK the host Node can run (3.249 and later need Node 22)', () => {
    const pkg = JSON.parse(readFileSync(join(POLICY_DIR, 'package.json'), 'utf8'));
    expect(pkg.dependencies['@pulumi/pulumi']).toBe('3.248.0');
    expect(pkg.overrides['@pulumi/pulumi']).toBe('3.248.0');
    expect(pkg.dependencies['@pulumi/policy']).toMatch(/^\^1\.21\./);
  });
});
