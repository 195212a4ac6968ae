// A listener entry with its defaults applied; TLS listeners carry their certificates, read by
// tls-files.ts.
import * as D from './defaults';
import { toMilliseconds } from './duration';
import type { LoadedCertificate, ResolvedListener, ResolvedTls } from './resolved';
import type { ListenerConfig, ListenerTlsConfig } from './schema';
import { toBytes } from './size';

export function normalizeListener(l: ListenerConfig, index: number, certificates: LoadedCertificate[] | undefined): ResolvedListener {
  return {
    name: l.name ?? `listener-${index}`,
    host: l.host ?? D.DEFAULT_LISTEN_HOST,
    port: l.port,
    tls: l.tls ? normalizeTls(l.tls, certificates ?? []) : null,
    redirectToHttps: l.redirectToHttps === undefined || l.redirectToHttps === false ? null : l.redirectToHttps === true ? D.DEFAULT_HTTPS_PORT : l.redirectToHttps,
  };
}

function normalizeTls(t: ListenerTlsConfig, certificates: LoadedCertificate[]): ResolvedTls {
  return {
    certificates,
    hsts: t.hsts ? hstsValue(t.hsts) : null,
    http2: t.http2 ?? true,
    maxConcurrentStreams: t.maxConcurrentStreams ?? D.DEFAULT_H2_MAX_CONCURRENT_STREAMS,
    maxHeaderListSize: t.maxHeaderListSize === undefined ? D.DEFAULT_H2_MAX_HEADER_LIST_SIZE : toBytes(t.maxHeaderListSize),
  };
}

/** RFC 6797 §6.1: max-age in seconds, then the flags. */
export function hstsValue(h: NonNullable<ListenerTlsConfig['hsts']>): string {
  const maxAge = h.maxAge === undefined ? D.DEFAULT_HSTS_MAX_AGE_SECONDS : Math.floor(toMilliseconds(h.maxAge) / 1000);
  return `max-age=${maxAge}${h.includeSubDomains ? '; includeSubDomains' : ''}${h.preload ? '; preload' : ''}`;
}
