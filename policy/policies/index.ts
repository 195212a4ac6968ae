// Every policy of the pack, in one list: the pack's entry (../index.ts) constructs the PolicyPack
// from it, tests import the policies themselves (constructing a pack starts its server).
import type { Policies } from '@pulumi/policy';
import { privateEncryptedBuckets } from './buckets';
import { dockerAdminOnLoopback, dockerNoHostNetwork, dockerUnprivileged } from './docker';
import { encryptedVolumes, imdsHopLimitOne, imdsV2Required, noKeyPair } from './instances';
import { internetIngressHttpOnly, noSshIngress } from './security-groups';

export const policies: Policies = [
  internetIngressHttpOnly,
  noSshIngress,
  imdsV2Required,
  imdsHopLimitOne,
  encryptedVolumes,
  noKeyPair,
  privateEncryptedBuckets,
  dockerAdminOnLoopback,
  dockerUnprivileged,
  dockerNoHostNetwork,
];
