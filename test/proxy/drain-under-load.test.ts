// Drain under load, as a deploy does it: clients with sticky cookies and new clients keep sending
// while the admin API drains one server. No request is dropped, clients bound to the draining
// server stay on it, new clients never reach it, and the API reports it drained once idle.
import { cookiePair, fourServers, get, recordOf } from '../helpers/sticky';
import { request, startProxy } from '../helpers/servers';

const CONCURRENCY = 8;
const ROUNDS = 40;

describe('drain under load', () => {
  it('drops no request, keeps bound clients on the draining server and sends it no new client', async () => {
    const { servers } = await fourServers();
    const running = await startProxy({
      upstreams: { app: { servers, sticky: { cookie: { key: 'drain-under-load-key-0123' } } } },
      routes: [{ proxy: { upstream: 'app' } }],
      admin: { listen: '127.0.0.1:0' },
    });
    const admin = `http://127.0.0.1:${running.proxy.adminAddress()!.port}`;
    // A client bound to s1 (new clients are balanced round robin: one of the first four lands there).
    let bound = '';
    for (let i = 0; i < 4 && bound === ''; i++) {
      const reply = await get(running.url);
      if (reply.server === 's1') bound = cookiePair(reply);
    }
    expect(bound).not.toBe('');

    let drained = false;
    const failures: string[] = [];
    const boundWentElsewhere: string[] = [];
    const newClientsOnS1AfterDrain: number[] = [];
    const worker = async (w: number) => {
      for (let i = 0; i < ROUNDS; i++) {
        const isBound = (w + i) % 2 === 0;
        const drainedBefore = drained;
        const reply = await get(`${running.url}/w${w}/${i}`, isBound ? { cookie: bound } : {}).catch((err: Error) => ({ status: 0, server: err.message }));
        if (reply.status !== 200) failures.push(`${reply.status} ${reply.server}`);
        else if (isBound && reply.server !== 's1') boundWentElsewhere.push(reply.server);
        else if (!isBound && drainedBefore && reply.server === 's1') newClientsOnS1AfterDrain.push(i);
      }
    };
    const load = Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
    // Drain mid-load, through the admin API.
    await new Promise((r) => setTimeout(r, 30));
    const patch = await request(`${admin}/api/upstreams/app/servers/s1`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'draining' }),
    });
    expect(patch.status).toBe(200);
    drained = true;
    await load;

    expect(failures).toEqual([]);
    expect(boundWentElsewhere).toEqual([]);
    expect(newClientsOnS1AfterDrain).toEqual([]);
    expect(recordOf(running.proxy, 's1').state).toBe('draining');
    const status = JSON.parse((await request(`${admin}/api/status`)).body.toString());
    const s1 = status.upstreams.app.servers.find((s: { id: string }) => s.id === 's1');
    expect(s1).toMatchObject({ state: 'draining', active: 0, tunnels: 0, drained: true });
  });
});
