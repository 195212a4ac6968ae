// The secure contexts of one TLS listener, built once per load (config or file change, ticket key
// rotation), and the SNI choice among them: an exact name, then a "*.example.com" wildcard (one
// label, RFC 6125 §6.4.3), else the default (the first certificate), as NGINX picks a server_name.
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import type { LoadedCertificate } from '../config/resolved';
import { secureContextOptions } from './tls-settings';

export class CertificateStore {
  private readonly exact = new Map<string, SecureContext>();
  private readonly wildcard = new Map<string, SecureContext>();
  /** The default certificate's options (for server.setSecureContext: clients without SNI). */
  readonly defaultOptions: SecureContextOptions;
  private readonly fallback: SecureContext;

  /** Throws when node refuses a pair (the caller keeps its previous store). */
  constructor(
    readonly certificates: readonly LoadedCertificate[],
    ticketKeys: Buffer,
  ) {
    if (certificates.length === 0) throw new Error('a TLS listener needs a certificate');
    const contexts = certificates.map((c) => createSecureContext(secureContextOptions(c.cert, c.key, ticketKeys)));
    // The first certificate naming a host wins, as the first matching server block does in NGINX.
    certificates.forEach((c, i) => {
      for (const name of c.names) {
        const table = name.startsWith('*.') ? this.wildcard : this.exact;
        const key = name.startsWith('*.') ? name.slice(2) : name;
        if (!table.has(key)) table.set(key, contexts[i]);
      }
    });
    this.defaultOptions = secureContextOptions(certificates[0].cert, certificates[0].key, ticketKeys);
    this.fallback = contexts[0];
  }

  /** The context for a client's SNI name (any case; a trailing dot ignored). */
  select(servername: string): SecureContext {
    let name = servername.toLowerCase();
    if (name.endsWith('.')) name = name.slice(0, -1);
    const exact = this.exact.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf('.');
    if (dot > 0) {
      const wild = this.wildcard.get(name.slice(dot + 1));
      if (wild !== undefined) return wild;
    }
    return this.fallback;
  }

  /** Every file the store was read from (watched for changes). */
  files(): string[] {
    return this.certificates.flatMap((c) => [c.certFile, c.keyFile]);
  }
}
