// The certificate files of every TLS listener, read when a config is resolved (not by configIssues,
// so infra/ can check a config whose files live on another machine). A file that cannot be read,
// parsed or paired is an issue named by its field: `listeners[0].tls.certificates[1].key`.
import type { LoadedCertificate } from './resolved';
import type { ConfigIssue } from './config-error';
import type { ProxyConfig } from './schema';
import { CertificateFileError, loadCertificate } from '../tls/certificate-files';

/** Listener index -> its certificates, in config order. */
export type ListenerCertificates = Map<number, LoadedCertificate[]>;

export function loadListenerCertificates(config: ProxyConfig, issues: ConfigIssue[]): ListenerCertificates {
  const out: ListenerCertificates = new Map();
  config.listeners.forEach((l, i) => {
    if (!l.tls) return;
    const loaded: LoadedCertificate[] = [];
    l.tls.certificates.forEach((c, j) => {
      try {
        loaded.push(loadCertificate(c.cert, c.key));
      } catch (err) {
        const field = err instanceof CertificateFileError ? err.field : 'cert';
        issues.push({ path: `listeners[${i}].tls.certificates[${j}].${field}`, message: (err as Error).message });
      }
    });
    out.set(i, loaded);
  });
  return out;
}
