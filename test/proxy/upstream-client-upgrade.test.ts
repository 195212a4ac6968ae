// Upgrade requests through the upstream client (H1Pool driven directly), and a 101 nobody asked for.
import { request, simpleConfig, startProxy } from '../helpers/servers';
import { rawServer } from './upstream-client-servers';

const SWITCH = 'HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\n';

describe('upstream client: upgrades', () => {
  it('answers 502 at once when the upstream answers 101 to a request that asked for no upgrade', async () => {
    const server = await rawServer((s) => s.write(`${SWITCH}upgrade: websocket\r\n\r\n`));
    const { url } = await startProxy({ ...simpleConfig([server.address]), timeouts: { firstByte: 3000 } });
    const started = Date.now();
    const reply = await request(url, { headers: { accept: 'application/json' } });
    expect([reply.status, JSON.parse(reply.body.toString()).code]).toEqual([502, 'UPSTREAM_BAD_RESPONSE']);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
