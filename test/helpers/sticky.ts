// Shared by the sticky session suites: named upstreams, the proxy's Set-Cookie parsed precisely,
// and a tally of which server answered.
import type http from 'node:http';
import type { PorticoProxy } from '../../proxy/src/proxy';
import type { ServerRecord } from '../../proxy/src/upstream/server-state';
import { request, startBackend, type Backend, type Reply } from './servers';

/** An upstream that answers its name (and says it in X-Server). */
export function named(name: string): Promise<Backend> {
  return startBackend((_q, res) => {
    res.setHeader('X-Server', name);
    res.end(name);
  });
}

/** Four named upstreams s0..s3 and their server entries with stable ids (the cookie signs the id). */
export async function fourServers(): Promise<{ backends: Backend[]; servers: { address: string; id: string }[] }> {
  const backends = await Promise.all(['s0', 's1', 's2', 's3'].map(named));
  return { backends, servers: backends.map((b, i) => ({ address: b.address, id: `s${i}` })) };
}

/** Every Set-Cookie header of a reply, as sent. */
export function setCookies(reply: Reply): string[] {
  const out: string[] = [];
  for (let i = 0; i < reply.rawHeaders.length; i += 2) if (reply.rawHeaders[i].toLowerCase() === 'set-cookie') out.push(reply.rawHeaders[i + 1]);
  return out;
}

/** The one Set-Cookie of cookie `name` ("name=value; Attr..."), or null when the reply has none. */
export function setCookieNamed(reply: Reply, name: string): string | null {
  const found = setCookies(reply).filter((c) => c.startsWith(`${name}=`));
  if (found.length > 1) throw new Error(`${found.length} Set-Cookie headers for ${name}`);
  return found[0] ?? null;
}

/** "name=value" of the proxy's cookie in a reply, for the next request's Cookie header. */
export function cookiePair(reply: Reply, name = 'portico_server'): string {
  const set = setCookieNamed(reply, name);
  if (set === null) throw new Error(`no Set-Cookie for ${name} (status ${reply.status})`);
  return set.split(';')[0];
}

export async function get(url: string, headers: http.OutgoingHttpHeaders = {}): Promise<Reply & { server: string }> {
  const reply = await request(url, { headers });
  return { ...reply, server: reply.body.toString() };
}

/** How many of `n` requests each server answered. */
export async function tally(url: string, n: number, headers: http.OutgoingHttpHeaders = {}): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const { server } = await get(url, headers);
    out[server] = (out[server] ?? 0) + 1;
  }
  return out;
}

export function recordOf(proxy: PorticoProxy, id: string, upstream = 'app'): ServerRecord {
  const server = proxy.runtime.registry.get(upstream).servers.find((s) => s.id === id);
  if (!server) throw new Error(`no server ${id}`);
  return server.record;
}
