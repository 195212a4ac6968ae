// EC2 machines of the AWS target (instances, spot requests, launch templates and configurations): IMDSv2 only, a metadata
// hop limit of 1, encrypted volumes, no SSH key pair (they are reached through SSM Session Manager).
import type { ReportViolation, ResourceValidationPolicy } from '@pulumi/policy';
import { listOf, objectOf, type Props } from './props';

export const INSTANCE = 'aws:ec2/instance:Instance';
/** Resources that launch machines with the instance's own fields (metadataOptions, rootBlockDevice, keyName). */
export const INSTANCE_LIKE = [INSTANCE, 'aws:ec2/spotInstanceRequest:SpotInstanceRequest', 'aws:ec2/launchConfiguration:LaunchConfiguration'];
export const LAUNCH_TEMPLATE = 'aws:ec2/launchTemplate:LaunchTemplate';
export const KEY_PAIR = 'aws:ec2/keyPair:KeyPair';

export const imdsV2Required: ResourceValidationPolicy = {
  name: 'portico-ec2-imdsv2-required',
  description: 'EC2 instances and launch templates require IMDSv2 session tokens (metadataOptions.httpTokens "required").',
  enforcementLevel: 'mandatory',
  validateResource: (args, reportViolation) => {
    const options = ownMetadataOptions(args.type, args.props);
    if (options === 'not-own') return;
    const tokens = options ? options.httpTokens : undefined;
    if (tokens !== 'required') {
      reportViolation(`metadataOptions.httpTokens is ${JSON.stringify(tokens)}: set "required" so the instance role's credentials need an IMDSv2 session token`);
    }
  },
};

export const imdsHopLimitOne: ResourceValidationPolicy = {
  name: 'portico-ec2-imds-hop-limit-1',
  description: "EC2 instances and launch templates set metadataOptions.httpPutResponseHopLimit to 1, so containers on the VM cannot reach the instance role's credentials.",
  enforcementLevel: 'mandatory',
  validateResource: (args, reportViolation) => {
    const options = ownMetadataOptions(args.type, args.props);
    if (options === 'not-own') return;
    if (options?.httpEndpoint === 'disabled') return; // no metadata service at all
    const limit = options ? options.httpPutResponseHopLimit : undefined;
    // Absent is no 1: an AMI registered with ImdsSupport v2.0 (Amazon Linux 2023) launches with 2,
    // and the account's instance metadata defaults may say anything.
    if (limit !== 1) {
      reportViolation(
        `metadataOptions.httpPutResponseHopLimit is ${JSON.stringify(limit)}: set 1, or a container on the VM (one hop further) can fetch the instance role's credentials`,
      );
    }
  },
};

export const encryptedVolumes: ResourceValidationPolicy = {
  name: 'portico-ec2-encrypted-volumes',
  description: 'EC2 instances and launch templates encrypt their root and data volumes.',
  enforcementLevel: 'mandatory',
  validateResource: (args, reportViolation) => {
    if (INSTANCE_LIKE.includes(args.type)) checkInstanceVolumes(args.props, reportViolation);
    else if (args.type === LAUNCH_TEMPLATE) checkTemplateVolumes(args.props, reportViolation);
  },
};

export const noKeyPair: ResourceValidationPolicy = {
  name: 'portico-ec2-no-key-pair',
  description: 'No SSH key pair: EC2 instances are reached through SSM Session Manager.',
  enforcementLevel: 'mandatory',
  validateResource: (args, reportViolation) => {
    if (args.type === KEY_PAIR) {
      reportViolation('an EC2 key pair is created; the instances are reached through SSM Session Manager, not SSH');
    } else if ((INSTANCE_LIKE.includes(args.type) || args.type === LAUNCH_TEMPLATE) && args.props.keyName) {
      reportViolation(`keyName ${JSON.stringify(args.props.keyName)} installs an SSH key; reach the instance through SSM Session Manager instead`);
    }
  },
};

/**
 * The metadata options a resource of `type` sets for the machines it launches (undefined: none
 * set), or 'not-own': it launches none, or it is an instance made from a launch template without
 * options of its own, which takes the template's (checked itself).
 */
function ownMetadataOptions(type: string, props: Props): Props | undefined | 'not-own' {
  const instanceLike = INSTANCE_LIKE.includes(type);
  if (!instanceLike && type !== LAUNCH_TEMPLATE) return 'not-own';
  const options = objectOf(props.metadataOptions);
  if (!options && instanceLike && props.launchTemplate) return 'not-own';
  return options;
}

function checkInstanceVolumes(props: Props, reportViolation: ReportViolation): void {
  const root = objectOf(props.rootBlockDevice);
  // Without its own root block device an instance from a launch template uses the template's.
  if (!(root === undefined && props.launchTemplate) && (!root || root.encrypted !== true)) {
    reportViolation('rootBlockDevice.encrypted must be true');
  }
  listOf(props.ebsBlockDevices).forEach((device, i) => {
    if (objectOf(device)?.encrypted !== true) reportViolation(`ebsBlockDevices[${i}].encrypted must be true`);
  });
}

function checkTemplateVolumes(props: Props, reportViolation: ReportViolation): void {
  const mappings = listOf(props.blockDeviceMappings);
  if (mappings.length === 0) {
    reportViolation("blockDeviceMappings is empty, so the root volume's encryption is left to the AMI: map the root device with ebs.encrypted \"true\"");
  }
  mappings.forEach((mapping, i) => {
    const ebs = objectOf(objectOf(mapping)?.ebs);
    // The template's field is a string ("true"); accept the boolean too.
    if (ebs && ebs.encrypted !== 'true' && ebs.encrypted !== true) reportViolation(`blockDeviceMappings[${i}].ebs.encrypted must be "true"`);
  });
}
