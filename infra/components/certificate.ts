// Certificate: a local certificate authority and a leaf certificate it signs for the stack's
// hostnames (@pulumi/tls), for stacks with no public CA: docker on a developer's machine.
// Trust `caCertPem` once, and every leaf it signs is trusted, `*.localhost` names included.
import * as pulumi from '@pulumi/pulumi';
import * as tls from '@pulumi/tls';
import { ComponentArgsError, type CertificateArgs } from '../args';

export type { CertificateArgs };

export const CERTIFICATE_DEFAULTS = {
  validityHours: 90 * 24,
  earlyRenewalHours: 30 * 24,
  caValidityHours: 5 * 365 * 24,
  organization: 'Portico',
} as const;

/** ECDSA P-256: small, fast and accepted by every current TLS client. */
const KEY = { algorithm: 'ECDSA', ecdsaCurve: 'P256' } as const;

export class Certificate extends pulumi.ComponentResource {
  static readonly type = 'portico:index:Certificate';

  /** The leaf certificate (PEM), for the proxy's TLS listener. */
  readonly certPem: pulumi.Output<string>;
  /** The leaf's private key (PEM), a secret. */
  readonly privateKeyPem: pulumi.Output<string>;
  /** The local CA's certificate (PEM): what a browser or NODE_EXTRA_CA_CERTS must trust. */
  readonly caCertPem: pulumi.Output<string>;

  constructor(name: string, args: CertificateArgs, opts: pulumi.ComponentResourceOptions = {}) {
    if (args.hostnames === undefined) throw new ComponentArgsError(Certificate.type, name, 'hostnames is required');
    super(Certificate.type, name, {}, opts);
    const a = { ...CERTIFICATE_DEFAULTS, ...definedOnly(args) };
    const subject = (commonName: pulumi.Input<string>) => ({ commonName, organization: a.organization });

    const caKey = new tls.PrivateKey(`${name}-ca-key`, KEY, { parent: this });
    const ca = new tls.SelfSignedCert(
      `${name}-ca`,
      {
        privateKeyPem: caKey.privateKeyPem,
        isCaCertificate: true,
        subject: subject(`${name} local CA`),
        validityPeriodHours: a.caValidityHours,
        allowedUses: ['cert_signing', 'crl_signing', 'digital_signature'],
      },
      { parent: this },
    );
    const key = new tls.PrivateKey(`${name}-key`, KEY, { parent: this });
    const request = new tls.CertRequest(
      `${name}-csr`,
      {
        privateKeyPem: key.privateKeyPem,
        dnsNames: args.hostnames,
        ipAddresses: args.ipAddresses ?? [],
        subject: subject(pulumi.output(args.hostnames).apply((names) => names[0] ?? name)),
      },
      { parent: this },
    );
    const leaf = new tls.LocallySignedCert(
      name,
      {
        certRequestPem: request.certRequestPem,
        caCertPem: ca.certPem,
        caPrivateKeyPem: caKey.privateKeyPem,
        validityPeriodHours: a.validityHours,
        earlyRenewalHours: a.earlyRenewalHours,
        allowedUses: ['digital_signature', 'key_encipherment', 'server_auth'],
      },
      { parent: this },
    );

    this.certPem = leaf.certPem;
    this.privateKeyPem = pulumi.secret(key.privateKeyPem);
    this.caCertPem = ca.certPem;
    this.registerOutputs({ certPem: this.certPem, privateKeyPem: this.privateKeyPem, caCertPem: this.caCertPem });
  }
}

/** Defaults first, then the user's args (STYLE 10) — but an explicit `undefined` keeps the default. */
function definedOnly<T extends object>(args: T): Partial<T> {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as Partial<T>;
}
