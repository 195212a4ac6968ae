// The aws target: a StackPlan rendered as AWS resources — network, images in ECR, the app VMs (one
// app container per planned instance), the stack bucket with the proxy's files, the proxy tier,
// DNS. Mirrors deployDockerStack: children named `${name}-…`, all parented to `parent`.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { APP_UPSTREAM, bindVmAddresses, type StackPlan } from '../../plan';
import { appSecrets, type AppSecrets } from './app-secrets';
import { appVmUserData, type AppVmUserData } from './app-user-data';
import { ecrRegistryOf, type RegistryLogin } from './container-runtime';
import { dnsRecords, hostedZoneId } from './dns';
import { instanceRole } from './iam';
import { awsImage, repoBuild } from './images';
import { vm, type VmArgs } from './instance';
import { amazonLinuxAmi, instanceArchitecture } from './machine-types';
import { awsNetwork, type AwsNetwork } from './network';
import { AWS_DEFAULTS, type AwsStackOptions } from './options';
import { acmeProblem, asAcmeFollower, pemProblem, withTlsListener, type AwsTlsMode } from './proxy-tls';
import { proxyTier, type ProxyTier } from './proxy-tier';
import { proxyVmUserData } from './proxy-user-data';
import { securityGroups, type SecurityGroups } from './security-groups';
import { APP_PREFIX, PROXY_OBJECTS, PROXY_PREFIX } from './storage-layout';
import { followerConfigFile, proxyFiles, stackBucket } from './storage';

export interface AwsStack {
  network: AwsNetwork;
  securityGroups: SecurityGroups;
  appVms: aws.ec2.Instance[];
  proxy: ProxyTier;
  bucket: aws.s3.Bucket;
  records: aws.route53.Record[];
  /** The config proxy 1 runs (every proxy but ACME followers); app VMs' private addresses bound in. */
  proxyConfig: pulumi.Output<string>;
  /** With ACME on several proxy VMs: the config proxies 2..N run (ACME followers of proxy 1). */
  followerConfig?: pulumi.Output<string>;
  /** `privateIp:port` of every app instance: the upstream of that config. */
  appAddresses: pulumi.Output<string[]>;
  /** One URL per hostname: https unless TLS is off. */
  urls: pulumi.Output<string[]>;
  /** The Elastic IP, or the load balancer's DNS name. */
  proxyAddress: pulumi.Output<string>;
  appVmIds: pulumi.Output<string[]>;
  proxyVmIds: pulumi.Output<string[]>;
  /** The SSM port-forwarding command that opens the first proxy's admin listener on 127.0.0.1. */
  dashboardCommand: pulumi.Output<string>;
  /** The admin listener's bearer token (a secret); the dashboard takes it as `#token=…`. */
  adminToken: pulumi.Output<string | undefined>;
}

/** 32 letters and digits (~190 bits): safe in a header, an env file and a URL fragment. */
const SECRET_LENGTH = 32;

export function deployAwsStack(name: string, plan: StackPlan, options: AwsStackOptions, parent: pulumi.Resource): AwsStack {
  if (plan.target !== 'aws' || plan.appVms === undefined) throw new Error(`deployAwsStack: stack "${plan.stackName}" is planned for target ${plan.target}, not aws`);
  const tlsMode: AwsTlsMode = options.tls?.mode ?? AWS_DEFAULTS.tlsMode;
  const proxyCount = options.proxyVms ?? AWS_DEFAULTS.proxyVms;
  const hostnames = plan.certificates[0]?.hostnames ?? [];
  checkTls(name, options, tlsMode, hostnames);
  // HTTP-01 behind a load balancer: Let's Encrypt's check may reach any proxy. Proxy 1 orders; the
  // others follow it (serve what it stores in S3, send challenges to it).
  const acmeFollowers = tlsMode === 'acme' && proxyCount > 1;
  const opts = { parent };
  const network = awsNetwork(name, options, parent);
  const appType = options.appInstanceType ?? AWS_DEFAULTS.appInstanceType;
  const proxyType = options.proxyInstanceType ?? AWS_DEFAULTS.proxyInstanceType;
  const appArch = instanceArchitecture(appType, opts);
  const proxyArch = instanceArchitecture(proxyType, opts);
  const app = options.app ?? { build: repoBuild('app', undefined) };
  const appImage = awsImage(`${name}-app`, appArch, app, parent);
  const proxyBuild = { ...repoBuild('proxy', options.proxy?.baseImage), ...(options.proxy?.buildNetwork !== undefined && { network: options.proxy.buildNetwork }) };
  const proxyImage = awsImage(`${name}-proxy`, proxyArch, { image: options.proxy?.image, build: proxyBuild }, parent);
  const region = aws.getRegionOutput({}, opts).region;

  const ports = plan.apps.map((a) => a.port);
  // What the proxy VMs publish, and so all the internet may reach.
  const publicPorts = tlsMode === 'off' ? [plan.proxy.publish.http] : [plan.proxy.publish.http, plan.proxy.publish.https];
  const groups = securityGroups(
    name,
    { vpcId: network.vpcId, publicPorts, appPorts: { from: Math.min(...ports), to: Math.max(...ports) }, ipv6: network.ipv6 },
    parent,
  );
  const zoneId = hostedZoneId(options.dns, parent);
  const storage = stackBucket(`${name}-files`, parent);
  const { bucket } = storage;
  // The plan's own variables (PORT, HOST, …) win over the user's, as on docker.
  const appEnvSecrets = app.secretEnv === undefined ? undefined : appSecrets(`${name}-app-env`, storage, app.secretEnv, Object.keys(plan.apps[0].env), parent);
  const appRole = instanceRole(
    `${name}-app`,
    {
      repositoryArns: appImage.repositoryArn ? [appImage.repositoryArn] : [],
      ...(appEnvSecrets && { bucket: { arn: bucket.arn, prefix: APP_PREFIX, versions: true } }),
    },
    parent,
  );
  const proxyRole = instanceRole(
    `${name}-proxy`,
    {
      repositoryArns: proxyImage.repositoryArn ? [proxyImage.repositoryArn] : [],
      bucket: { arn: bucket.arn, prefix: PROXY_PREFIX, ...(tlsMode === 'acme' && { writablePrefix: `${PROXY_PREFIX}/${PROXY_OBJECTS.acmeDir}` }) },
    },
    parent,
  );
  // Followers read what proxy 1 uploads and write nothing: a role without the ACME write grant,
  // and without the account key (their sync skips it; a compromised follower could not use it).
  const followerRole = acmeFollowers
    ? instanceRole(
        `${name}-proxy-follower`,
        {
          repositoryArns: proxyImage.repositoryArn ? [proxyImage.repositoryArn] : [],
          bucket: { arn: bucket.arn, prefix: PROXY_PREFIX, unreadable: [`${PROXY_PREFIX}/${PROXY_OBJECTS.acmeDir}/${PROXY_OBJECTS.acmeAccountKey}`] },
        },
        parent,
      )
    : undefined;
  const vmBase = (type: string, arch: pulumi.Output<'x86_64' | 'arm64'>) => ({
    ami: options.amiId ?? amazonLinuxAmi(arch, opts),
    amiLookedUp: options.amiId === undefined,
    instanceType: type,
    rootVolumeGiB: options.rootVolumeGiB ?? AWS_DEFAULTS.rootVolumeGiB,
  });

  const appVms = Array.from({ length: plan.appVms }, (_, i) => {
    const apps = plan.apps.filter((a) => a.vm === i);
    const args: VmArgs = {
      ...vmBase(appType, appArch),
      subnetId: network.subnetIds[i % network.subnetIds.length],
      securityGroupId: groups.app.id,
      profileName: appRole.profile.name,
      userData: pulumi
        .all([appImage.ref, region, app.env ?? {}, secretsAt(appEnvSecrets, bucket, region)])
        .apply(([image, r, env, secrets]) => appVmUserData({ image, apps, env, ...secrets, ...loginFor(image, r) })),
      ipv6: false,
    };
    return vm(`${name}-vm-${i + 1}`, args, opts);
  });

  const secrets = Object.fromEntries(
    plan.proxy.secretEnv.map((s) => [s.env, pulumi.secret(new random.RandomPassword(`${name}-${s.name}`, { length: SECRET_LENGTH, special: false }, opts).result)]),
  );
  const tlsPlan = { mode: tlsMode, hostnames, staging: options.tls?.staging, email: options.tls?.email };
  const vmIps = pulumi.all(appVms.map((v) => v.privateIp));
  const proxyConfig = vmIps.apply((ips) => `${JSON.stringify(withTlsListener(bindVmAddresses(plan, ips), tlsPlan), null, 2)}\n`);
  let followerConfig: pulumi.Output<string> | undefined;
  let followerObject: aws.s3.BucketObjectv2 | undefined;
  /** Proxy 1's plain listener as the others reach it: its private address, the published HTTP port. */
  const followerConfigOf = (first: aws.ec2.Instance) =>
    pulumi
      .all([vmIps, first.privateIp])
      .apply(([ips, leaderIp]) => `${JSON.stringify(asAcmeFollower(withTlsListener(bindVmAddresses(plan, ips), tlsPlan), `${leaderIp}:${plan.proxy.publish.http}`), null, 2)}\n`);
  const envFile = pulumi.secret(pulumi.all(secrets).apply((values) => Object.entries(values).map(([k, v]) => `${k}=${v}\n`).join('')));
  const proxyObjects = proxyFiles(
    `${name}-files`,
    bucket,
    {
      config: proxyConfig,
      env: envFile,
      ...(tlsMode === 'certificates' && {
        certificatePem: nonEmptyPem(options.tls!.certificatePem!, `${name}: tls.certificatePem`),
        privateKeyPem: nonEmptyPem(options.tls!.privateKeyPem!, `${name}: tls.privateKeyPem`),
      }),
    },
    parent,
  );
  const proxyVm = (follows: boolean) => ({
    ...vmBase(proxyType, proxyArch),
    securityGroupId: groups.proxy.id,
    profileName: (follows ? followerRole! : proxyRole).profile.name,
    userData: pulumi
      .all([proxyImage.ref, region, bucket.bucket])
      .apply(([image, r, b]) =>
        proxyVmUserData({ image, region: r, bucket: b, prefix: PROXY_PREFIX, proxy: plan.proxy, tls: tlsMode, acmeMode: follows ? 'follow' : 'order', ...loginFor(image, r) }),
      ),
    ipv6: network.ipv6,
  });
  const proxy = proxyTier(
    `${name}-proxy`,
    {
      count: proxyCount,
      vm: (i, first) => {
        if (i === 0 || !acmeFollowers) return { vm: proxyVm(false), startAfter: proxyObjects };
        // One config for every follower, written once proxy 1's address is known (no cycle: proxy 1 does not wait for it).
        followerConfig ??= followerConfigOf(first!);
        followerObject ??= followerConfigFile(`${name}-files`, bucket, followerConfig, parent);
        return { vm: proxyVm(true), startAfter: [...proxyObjects, followerObject] };
      },
      subnetIds: network.subnetIds,
      vpcId: network.vpcId,
      ports: publicPorts,
      ipv6: network.ipv6,
    },
    parent,
  );
  const records = zoneId
    ? dnsRecords(`${name}-dns`, { zoneId, hostnames, tier: proxy, ipv6: network.ipv6, ttl: options.dns?.ttl }, parent)
    : [];

  const scheme = tlsMode === 'off' ? 'http' : 'https';
  const adminToken = pulumi.output(plan.proxy.admin.tokenEnv ? secrets[plan.proxy.admin.tokenEnv] : undefined);
  const admin = plan.proxy.admin.publish.port;
  return {
    network,
    securityGroups: groups,
    appVms,
    proxy,
    bucket,
    records,
    proxyConfig,
    ...(followerConfig && { followerConfig }),
    // Array.from: a structuredClone'd array may come from another realm (jest's vm), which Pulumi copies as an object.
    appAddresses: vmIps.apply((ips) => Array.from(bindVmAddresses(plan, ips).upstreams[APP_UPSTREAM].servers, (server) => server.address)),
    urls: proxy.address.apply(() => plan.urls.map((url) => url.replace(/^http:/, `${scheme}:`))),
    proxyAddress: proxy.address,
    appVmIds: pulumi.all(appVms.map((v) => v.id)),
    proxyVmIds: pulumi.all(proxy.vms.map((v) => v.id)),
    dashboardCommand: pulumi.interpolate`aws ssm start-session --region ${region} --target ${proxy.vms[0].id} --document-name AWS-StartPortForwardingSession --parameters '{"portNumber":["${admin}"],"localPortNumber":["${admin}"]}'  # then open http://127.0.0.1:${admin}/#token=<adminToken>`,
    adminToken,
  };
}

/** Where the app VMs fetch the secret env file, and its names; nothing without a secretEnv. */
function secretsAt(
  secrets: AppSecrets | undefined,
  bucket: aws.s3.Bucket,
  region: pulumi.Output<string>,
): pulumi.Output<Pick<AppVmUserData, 'secrets' | 'secretNames'>> {
  if (secrets === undefined) return pulumi.output({});
  return pulumi
    .all([region, bucket.bucket, secrets.object.key, secrets.object.versionId, secrets.names])
    .apply(([r, b, key, versionId, secretNames]) => ({ secrets: { region: r, bucket: b, key, versionId }, secretNames }));
}

/** ECR images need a login first; an image elsewhere is pulled as it is. */
function loginFor(image: string, region: string): { login?: RegistryLogin } {
  const registry = ecrRegistryOf(image);
  return registry ? { login: { region, registry } } : {};
}

/** awsStackOptions checks a component's args; this, a direct caller's options (same rules). */
function checkTls(name: string, options: AwsStackOptions, tlsMode: AwsTlsMode, hostnames: readonly string[]): void {
  const problem =
    tlsMode === 'certificates'
      ? (pemProblem(options.tls?.certificatePem, 'tls.certificatePem') ?? pemProblem(options.tls?.privateKeyPem, 'tls.privateKeyPem'))
      : tlsMode === 'acme'
        ? acmeProblem(hostnames, '')
        : undefined;
  if (problem) throw new Error(`${name}: ${problem}`);
}

/**
 * A PEM that only becomes known later (an Output, e.g. a stack secret) is checked then: an empty
 * one fails the deployment rather than reaching the proxy as an empty file. The value stays secret.
 */
export function nonEmptyPem(value: pulumi.Input<string>, field: string): pulumi.Output<string> {
  return pulumi.output(value).apply((pem) => {
    if (typeof pem !== 'string' || pem.trim() === '') throw new Error(`${field} is empty: give the PEM text`);
    return pem;
  });
}
