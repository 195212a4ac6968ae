// The pack as Pulumi runs it: the SDK's policy-pack runner compiles policy/index.ts (TypeScript,
// type-checked) and serves the analyzer over gRPC on 127.0.0.1; a gRPC client asks it what the
// engine asks during a preview. No Pulumi CLI (none can be installed here), the rest is real.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { once } from 'node:events';

const POLICY_DIR = join(__dirname, '../../policy');
// Compiling the pack with type-checking, as the runner does, takes ~20 s on a busy 2-core machine.
jest.setTimeout(30_000);
// The pack's own packages (gRPC, the SDK's protobuf messages), as the runner loads them.
const fromPolicy = createRequire(join(POLICY_DIR, 'package.json'));
const grpc = fromPolicy('@grpc/grpc-js');
const rpc = fromPolicy('@pulumi/pulumi/proto/analyzer_grpc_pb');
const pb = fromPolicy('@pulumi/pulumi/proto/analyzer_pb');
const { Struct } = fromPolicy('google-protobuf/google/protobuf/struct_pb');
const { Empty } = fromPolicy('google-protobuf/google/protobuf/empty_pb');

interface Diagnostic {
  policy: string;
  mandatory: boolean;
  message: string;
}

describe('the portico-security pack served by the Pulumi SDK', () => {
  let pack: ChildProcess;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let client: any;
  let stderr = '';

  beforeAll(async () => {
    const runner = fromPolicy.resolve('@pulumi/pulumi/cmd/run-policy-pack');
    pack = spawn(process.execPath, [runner, '127.0.0.1:0', '.'], { cwd: POLICY_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    pack.stderr!.on('data', (chunk) => (stderr += chunk));
    // The runner prints the port it serves on, and nothing else, once the pack is constructed.
    const [first] = (await Promise.race([once(pack.stdout!, 'data'), once(pack, 'exit').then(() => [''])])) as [Buffer | string];
    const port = Number(String(first).trim());
    if (!Number.isInteger(port) || port <= 0) throw new Error(`the pack did not start: ${stderr}`);
    client = new rpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }, 60_000);

  afterAll(() => {
    client?.close();
    pack?.kill();
  });

  const call = <T>(method: string, request: unknown) =>
    new Promise<T>((resolve, reject) => client[method](request, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));

  const diagnosticsOf = (response: { getDiagnosticsList(): { getPolicyname(): string; getEnforcementlevel(): number; getMessage(): string }[] }): Diagnostic[] =>
    response.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), mandatory: d.getEnforcementlevel() === pb.EnforcementLevel.MANDATORY, message: d.getMessage() }));

  const analyze = async (type: string, name: string, props: object) => {
    const req = new pb.AnalyzeRequest();
    req.setType(type);
    req.setName(name);
    req.setUrn(`urn:pulumi:pr::portico::${type}::${name}`);
    req.setProperties(Struct.fromJavaScript(props));
    req.setOptions(new pb.AnalyzerResourceOptions());
    return diagnosticsOf(await call('analyze', req));
  };

  it('announces every policy, mandatory', async () => {
    const info = await call<{ getName(): string; getPoliciesList(): { getName(): string; getEnforcementlevel(): number }[] }>('getAnalyzerInfo', new Empty());
    expect(info.getName()).toBe('portico-security');
    const levels = info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]);
    expect(levels).toHaveLength(10);
    expect(levels.filter(([, level]) => level !== pb.EnforcementLevel.MANDATORY)).toEqual([]);
  });

  it('fails a security group that opens SSH and the admin port to the internet', async () => {
    const group = {
      vpcId: 'vpc-1',
      ingress: [
        { protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'] },
        { protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: ['0.0.0.0/0'] },
        { protocol: 'tcp', fromPort: 9901, toPort: 9901, ipv6CidrBlocks: ['::/0'] },
      ],
    };
    expect(await analyze('aws:ec2/securityGroup:SecurityGroup', 'proxy', group)).toEqual([
      { policy: 'portico-internet-ingress-http-only', mandatory: true, message: expect.stringContaining('ingress[1]: 0.0.0.0/0 may reach TCP 80 and 443 only, not tcp 22') },
      { policy: 'portico-internet-ingress-http-only', mandatory: true, message: expect.stringContaining('ingress[2]: the admin port 9901 is open to ::/0') },
      { policy: 'portico-no-ssh-ingress', mandatory: true, message: expect.stringContaining('ingress[1]: tcp 22 admits SSH (TCP 22) from 0.0.0.0/0') },
    ]);
  });

  it('passes an app VM as the AWS target builds it, and fails one on IMDSv1', async () => {
    const vm = { ami: 'ami-1', instanceType: 't3.small', metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 }, rootBlockDevice: { encrypted: true } };
    expect(await analyze('aws:ec2/instance:Instance', 'app-1', vm)).toEqual([]);
    const v1 = await analyze('aws:ec2/instance:Instance', 'app-1', { ...vm, metadataOptions: { ...vm.metadataOptions, httpTokens: 'optional' } });
    expect(v1.map((d) => d.policy)).toEqual(['portico-ec2-imdsv2-required']);
  });

  it('runs the stack policy over a stack: a bucket without its public access block fails', async () => {
    const resource = (type: string, name: string, props: object) => {
      const r = new pb.AnalyzerResource();
      r.setType(type);
      r.setName(name);
      r.setUrn(`urn:pulumi:pr::portico::${type}::${name}`);
      r.setProperties(Struct.fromJavaScript(props));
      r.setOptions(new pb.AnalyzerResourceOptions());
      return r;
    };
    const req = new pb.AnalyzeStackRequest();
    req.setResourcesList([
      resource('aws:s3/bucket:Bucket', 'certs', { bucket: 'certs-1' }),
      resource('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration', 'certs-sse', {
        bucket: 'certs-1',
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
      }),
    ]);
    const found = diagnosticsOf(await call('analyzeStack', req));
    expect(found).toEqual([{ policy: 'portico-s3-private-encrypted', mandatory: true, message: expect.stringContaining('bucket certs has no BucketPublicAccessBlock') }]);
  });
});
