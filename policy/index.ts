// The CrossGuard pack: `pulumi preview --policy-pack ./policy` (npm ci --prefix policy first).
// Every policy is mandatory: a violation fails the preview or the update.
import { PolicyPack } from '@pulumi/policy';
import { policies } from './policies';

new PolicyPack('portico-security', {
  description: "Security invariants of stacks built from Portico's components",
  enforcementLevel: 'mandatory',
  policies,
});
