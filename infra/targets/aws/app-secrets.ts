// The user's secretEnv on AWS: a Docker env file in the stack bucket (private, encrypted, TLS-only)
// under the app prefix, which only the app VMs' role reads. Never in user data: anyone allowed
// ec2:DescribeInstanceAttribute reads that, and it sits unencrypted on the VM. Each VM fetches the
// exact object version its user data names, so a changed secret is a new version, a new user data
// and a new VM (as a new image is), and a VM never starts with half-rolled secrets.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { shell, shellQuote } from './cloud-init';
import { APP_OBJECTS, APP_PREFIX } from './storage-layout';
import type { StackBucket } from './storage';

/** Where an app VM finds its secret env file, as its user data names it. */
export interface AppSecretsLocation {
  region: string;
  bucket: string;
  key: string;
  versionId: string;
}

export interface AppSecrets {
  object: aws.s3.BucketObjectv2;
  /** The variable names (not secret): a plain `env` of the same name gives way to the secret one. */
  names: pulumi.Output<string[]>;
}

/** The env file on the VM: root only, read by `docker run --env-file`. */
export const APP_ENV_FILE = '/etc/portico/app.env';
export const APP_ENV_KEY = `${APP_PREFIX}/${APP_OBJECTS.env}`;

/** A name Docker's env file and every shell take as it is. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The object holding `secretEnv`, minus `reserved` (the plan's own PORT, HOST, …, which win as they
 * do on docker). `name` is the resource name.
 */
export function appSecrets(
  name: string,
  stackBucket: StackBucket,
  secretEnv: pulumi.Input<Record<string, pulumi.Input<string>>>,
  reserved: readonly string[],
  parent: pulumi.Resource,
): AppSecrets {
  const vars = pulumi.output(secretEnv).apply((env) => Object.entries(env ?? {}).filter(([key]) => !reserved.includes(key)));
  const object = new aws.s3.BucketObjectv2(
    name,
    {
      bucket: stackBucket.bucket.id,
      key: APP_ENV_KEY,
      content: pulumi.secret(vars.apply(envFile)),
      serverSideEncryption: 'AES256',
    },
    { parent, dependsOn: [stackBucket.versioning] },
  );
  // Names only, so the user data that lists them is not made secret as a whole.
  return { object, names: pulumi.unsecret(vars.apply((entries) => entries.map(([key]) => key))) };
}

/**
 * `KEY=value` lines as `docker run --env-file` reads them: no quoting, no escapes, one line each,
 * so a name or value that would end or split a line is refused, naming the variable (never the value).
 */
export function envFile(entries: readonly (readonly [string, string])[]): string {
  for (const [key, value] of entries) {
    if (!ENV_NAME.test(key)) throw new Error(`app.secretEnv: ${JSON.stringify(key)} is not an environment variable name (letters, digits, _)`);
    if (/[\r\n\0]/.test(String(value))) throw new Error(`app.secretEnv.${key}: a value cannot hold a line break or NUL on target aws (Docker's env file is one line per variable)`);
  }
  return entries.map(([key, value]) => `${key}=${value}\n`).join('');
}

/** The boot step that fetches the file: umask 077 before the file exists, so it is never readable by others. */
export function fetchAppSecrets(at: AppSecretsLocation): string[] {
  const get = [
    'aws s3api get-object',
    `--region ${shellQuote(at.region)}`,
    `--bucket ${shellQuote(at.bucket)}`,
    `--key ${shellQuote(at.key)}`,
    `--version-id ${shellQuote(at.versionId)}`,
    shellQuote(APP_ENV_FILE),
  ].join(' ');
  return shell(`umask 077 && mkdir -p /etc/portico && ${get} >/dev/null`);
}
