// Hostile clients against the proxy cache: inputs that must not change what another client is
// served, nor make one key cost unbounded memory or CPU.
import { startBackend } from '../helpers/servers';
import { cachedProxy, get } from './cache-support';

describe('cache against hostile clients', () => {
  it('refuses a Host with a slash: "a.test/admin" + "/x" would share the key of "a.test" + "/admin/x"', async () => {
    const backend = await startBackend((q, res) => res.end(`page ${q.url}`));
    const { url } = await cachedProxy(backend.address);
    const attack = await get(`${url}/x`, { host: 'victim.test/admin' });
    expect(attack.status).toBe(400);
    const victim = await get(`${url}/admin/x`, { host: 'victim.test' });
    expect([victim.headers['x-cache-status'], victim.body]).toEqual(['MISS', 'page /admin/x']);
  });
});
