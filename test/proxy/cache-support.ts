// Shared by the cache flow tests: a proxy with one cached route in front of a real backend.
import http from 'node:http';
import type { ProxyConfig } from '../../proxy/src/config/schema';
import { startProxy, type RunningProxy } from '../helpers/servers';

export type RouteCache = NonNullable<ProxyConfig['routes'][number]['cache']>;

/** A proxy whose one route sends everything to `backend` through cache zone "c". */
export function cachedProxy(backend: string, cache: Partial<RouteCache> = {}, route: Partial<ProxyConfig['routes'][number]> = {}, upstream: Partial<ProxyConfig['upstreams'][string]> = {}): Promise<RunningProxy> {
  return startProxy({
    caches: { c: {} },
    upstreams: { app: { ...upstream, servers: [{ address: backend }] } },
    routes: [{ proxy: { upstream: 'app' }, ...route, cache: { zone: 'c', valid: [{ for: '1m' }], ...cache } }],
  });
}

export interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A GET (or another method) with these headers on a keep-alive-less connection. */
export function get(url: string, headers: http.OutgoingHttpHeaders = {}, method = 'GET'): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The X-Cache-Status of each of these requests, made one after another. */
export async function statuses(url: string, n: number, headers: http.OutgoingHttpHeaders = {}): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(String((await get(url, headers)).headers['x-cache-status']));
  return out;
}
