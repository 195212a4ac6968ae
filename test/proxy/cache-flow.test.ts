// The cache flow end to end: real upstream, real proxy, real sockets.
import { startBackend } from '../helpers/servers';
import { cachedProxy, get, statuses } from './cache-support';

describe('proxy cache flow', () => {
  it('answers MISS then HIT, and the upstream sees one request', async () => {
    let n = 0;
    const backend = await startBackend((_q, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end(`answer ${++n}`);
    });
    const { url } = await cachedProxy(backend.address);
    const first = await get(`${url}/a`);
    const second = await get(`${url}/a`);
    expect([first.headers['x-cache-status'], second.headers['x-cache-status']]).toEqual(['MISS', 'HIT']);
    expect(second.body).toBe('answer 1');
    expect(second.headers['content-type']).toBe('text/plain');
    expect(second.headers['content-length']).toBe('8');
    expect(second.headers.age).toBe('0');
    expect(backend.requests).toHaveLength(1);
  });

  it('keys by host and URI', async () => {
    const backend = await startBackend((q, res) => res.end(`${q.headers.host} ${q.url}`));
    const { url, port } = await cachedProxy(backend.address);
    expect((await get(`${url}/x`, { host: 'one.test' })).body).toBe('one.test /x');
    expect((await get(`${url}/x`, { host: 'two.test' })).body).toBe('two.test /x');
    expect((await get(`${url}/x?q=1`, { host: 'one.test' })).body).toBe('one.test /x?q=1');
    expect(await statuses(`http://127.0.0.1:${port}/x`, 1, { host: 'one.test' })).toEqual(['HIT']);
    expect(backend.requests).toHaveLength(3);
  });
});
