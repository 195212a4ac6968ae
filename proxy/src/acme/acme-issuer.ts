// One certificate order (RFC 8555) with acme-client: account key (created once, kept), a fresh key
// and CSR per certificate, HTTP-01 answered by the proxy's own plain listeners via ChallengeTokens.
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import * as acme from 'acme-client';
import type { ResolvedAcme } from '../config/resolved';
import { explainAcmeError, resetAcmeClientLog, watchAcmeClientLog } from './acme-client-log';
import type { CertificateFiles, CertificatePair } from './certificate-files';
import type { ChallengeTokens } from './challenge-tokens';

/** acme-client's own retries while it polls an order or a server is unreachable; tests shorten them. */
export interface IssuerOptions {
  backoffMin?: number;
  backoffMax?: number;
  backoffAttempts?: number;
  /** acme-client retries an unreachable server 5 times, 5 s more apart each time (75 s in all). */
  networkRetries?: number;
  networkRetryDelaySeconds?: number;
}

export class AcmeIssuer {
  private client: acme.Client | null = null;

  constructor(
    private readonly settings: ResolvedAcme,
    private readonly files: CertificateFiles,
    private readonly tokens: ChallengeTokens,
    private readonly options: IssuerOptions = {},
  ) {}

  /** Obtains a certificate for `hostname`; throws with the ACME server's problem detail on failure. */
  async issue(hostname: string): Promise<CertificatePair> {
    watchAcmeClientLog();
    resetAcmeClientLog();
    try {
      return await this.order(hostname);
    } catch (err) {
      throw explainAcmeError(err);
    }
  }

  private async order(hostname: string): Promise<CertificatePair> {
    const client = await this.account();
    const [key, csr] = await acme.crypto.createCsr({ commonName: hostname, altNames: [hostname] }, await acme.crypto.createPrivateEcdsaKey('P-256'));
    const certPem = await client.auto({
      csr,
      email: this.settings.email ?? undefined,
      termsOfServiceAgreed: true,
      challengePriority: ['http-01'],
      // Its self-check dials port 80 through the system's DNS: the ACME server's own validation is the check.
      skipChallengeVerification: true,
      challengeCreateFn: async (_authz, challenge, keyAuthorization) => this.tokens.set(challenge.token, keyAuthorization),
      challengeRemoveFn: async (_authz, challenge) => this.tokens.delete(challenge.token),
    });
    return { certPem, keyPem: key.toString() };
  }

  private async account(): Promise<acme.Client> {
    if (this.client) return this.client;
    const retries = (acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number; retryDefaultDelay: number } }).acmeSettings;
    if (this.options.networkRetries !== undefined) retries.retryMaxAttempts = this.options.networkRetries;
    if (this.options.networkRetryDelaySeconds !== undefined) retries.retryDefaultDelay = this.options.networkRetryDelaySeconds;
    if (this.settings.caFile !== null) {
      // acme-client talks through its one axios instance: the private ACME server's CA is trusted there only.
      acme.axios.defaults.httpsAgent = new https.Agent({ ca: await readFile(this.settings.caFile) });
    }
    let accountKey = await this.files.loadAccountKey();
    if (accountKey === null) {
      accountKey = (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
      await this.files.saveAccountKey(accountKey);
    }
    const { backoffMin = 5_000, backoffMax = 30_000, backoffAttempts = 10 } = this.options;
    this.client = new acme.Client({ directoryUrl: this.settings.directory, accountKey, backoffMin, backoffMax, backoffAttempts });
    return this.client;
  }
}
