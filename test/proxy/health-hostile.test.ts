// Active health checks against upstreams that answer in ways a check must survive: informational
// and upgrade heads, redirects, a head sent one byte at a time. Each ends in one clean verdict.
import { recordOf, waitForState } from '../helpers/health';
import { rawUpstream } from '../helpers/raw-upstream';
import { simpleConfig, startProxy } from '../helpers/servers';

describe('active health checks: odd answers', () => {
  it.each([
    ['a 101 with no upgrade asked', 'HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n', 'unhealthy', /^(status 101|timeout after 300ms|connection reset)$/],
    ['a 103 then a 200', 'HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok', 'up', /^$/],
    ['a 100 then a 200', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n', 'up', /^$/],
    // NGINX Plus: 2xx and 3xx pass by default; a redirect is not followed.
    ['a redirect', 'HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:1/\r\ncontent-length: 0\r\n\r\n', 'up', /^$/],
    ['chunked garbage', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nnope\r\n', 'unhealthy', /^(bad HTTP response \(HPE_|connection reset)/],
  ])('judges %s', async (_name, answer, state, reason) => {
    const hostile = await rawUpstream((socket) => socket.write(answer));
    const { proxy } = await startProxy(
      simpleConfig([hostile.address], { healthCheck: { interval: '1s', timeout: '300ms', mandatory: true, ...(answer.includes('chunked') ? { expect: { body: 'x' } } : {}) } }),
    );
    await waitForState(proxy, hostile.address, state as 'up' | 'unhealthy', 900);
    expect(recordOf(proxy, hostile.address).lastCheck?.reason).toMatch(reason);
  });

  it('fails a head sent one byte at a time within the check timeout, not after it', async () => {
    const answer = 'HTTP/1.1 200 OK\r\n' + 'x-slow: ' + 'a'.repeat(200) + '\r\n\r\n';
    const hostile = await rawUpstream((socket) => {
      let i = 0;
      const timer = setInterval(() => (i < answer.length && !socket.destroyed ? socket.write(answer[i++]) : clearInterval(timer)), 5);
      socket.on('close', () => clearInterval(timer));
    });
    const { proxy } = await startProxy(simpleConfig([hostile.address], { healthCheck: { interval: '1s', timeout: '100ms', mandatory: true } }));
    const started = Date.now();
    await waitForState(proxy, hostile.address, 'unhealthy', 900);
    expect(Date.now() - started).toBeLessThan(600);
    expect(recordOf(proxy, hostile.address).lastCheck).toMatchObject({ ok: false, reason: 'timeout after 100ms' });
  });
});
