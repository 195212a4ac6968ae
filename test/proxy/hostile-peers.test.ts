// Hostile peers: clients and upstreams that misbehave around upgrades, shutdown, slow reading,
// replays and framing (from a hostile review of issue 8: what broke, now fixed, and what held).
// Runs on both upstream clients (unit and unit-undici). Failed on a7c2d90, both clients: the three "close(grace)" upgrade tests, the
// held-body slow reader, the client closing during a pending upgrade, the h2c offer, the idle
// tunnel; on undici only, also the GET replay after a reset of a reused connection.
import net, { type AddressInfo } from 'node:net';
import { rawRequest } from '../helpers/raw-http';
import { UPGRADE, rawUpstream } from '../helpers/raw-upstream';
import { registerCleanup, simpleConfig, sleep, startBackend, startProxy } from '../helpers/servers';

jest.setTimeout(15_000);

const SWITCH = 'HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\n' + 'sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';

/** A raw client connection that collects what it gets. */
function rawClient(port: number, text: string) {
  const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
  const state = { text: '', closed: false, socket };
  socket.on('data', (d) => (state.text += d.toString('latin1')));
  socket.on('error', () => undefined);
  socket.on('close', () => (state.closed = true));
  registerCleanup(async () => socket.destroy());
  return state;
}

async function until(cond: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(10);
  }
  return true;
}

/** Resolves with how long close took, or -1 when it did not resolve within `limitMs`. */
async function timedClose(close: Promise<void>, limitMs: number): Promise<number> {
  const started = Date.now();
  const result = await Promise.race([close.then(() => Date.now() - started), sleep(limitMs).then(() => -1)]);
  return result;
}

describe('shutdown', () => {
  it('close(grace) resolves while an upgrade waits for an upstream that never answers', async () => {
    const upstream = await rawUpstream(() => undefined); // reads the upgrade, never answers
    const { proxy, port } = await startProxy({ ...simpleConfig([upstream.address]), timeouts: { firstByte: 10_000 } });
    rawClient(port, UPGRADE());
    expect(await until(() => upstream.heads.length === 1)).toBe(true);
    expect(await timedClose(proxy.close(100), 3000)).toBeGreaterThanOrEqual(0);
  });

  it('close(grace) resolves when the 101 arrives after the grace period (tunnel opened after the cut)', async () => {
    const upstream = await rawUpstream((s) => setTimeout(() => s.write(SWITCH), 400));
    const { proxy, port } = await startProxy(simpleConfig([upstream.address]));
    const client = rawClient(port, UPGRADE());
    expect(await until(() => upstream.heads.length === 1)).toBe(true);
    const took = await timedClose(proxy.close(100), 3000);
    expect(took).toBeGreaterThanOrEqual(0);
    // and no tunnel is left open behind a closed proxy
    expect(await until(() => client.closed, 1000)).toBe(true);
  });

  it('close(grace) resolves while a non-101 answer to an upgrade waits for a client that does not read it', async () => {
    const big = 'x'.repeat(8 * 1024 * 1024);
    const upstream = await rawUpstream((s) => s.write(`HTTP/1.1 403 Forbidden\r\ncontent-length: ${big.length}\r\n\r\n${big}`));
    const { proxy, port } = await startProxy({ ...simpleConfig([upstream.address]), timeouts: { clientSend: 10_000 } });
    const client = rawClient(port, UPGRADE());
    client.socket.pause();
    expect(await until(() => upstream.heads.length === 1)).toBe(true);
    await sleep(200);
    expect(await timedClose(proxy.close(100), 3000)).toBeGreaterThanOrEqual(0);
  });
});

describe('slow readers', () => {
  it('a client that never reads pipelined held (<= 1 MiB) responses is cut after clientSend', async () => {
    const body = Buffer.alloc(1024 * 1024, 'y');
    const backend = await startBackend((_q, res) => res.end(body)); // Content-Length: held by the client writer
    const { port } = await startProxy({ ...simpleConfig([backend.address]), timeouts: { clientSend: 300, clientKeepAlive: 300, clientBody: 300 } });
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    registerCleanup(async () => socket.destroy());
    let closed = false;
    socket.on('close', () => (closed = true));
    await new Promise((r) => socket.once('connect', r));
    socket.pause(); // never read
    socket.write('GET /a HTTP/1.1\r\nhost: x\r\n\r\n'.repeat(16));
    expect(await until(() => backend.requests.length >= 2, 3000)).toBe(true);
    // nginx closes it at send_timeout. A paused client cannot see the close, so it reads again
    // after a while: cut, it gets only part of the 16 answers; not cut, all of them.
    await new Promise((r) => setTimeout(r, 1_000));
    let received = 0;
    socket.on('data', (d: Buffer) => (received += d.length));
    socket.resume();
    expect(await until(() => closed, 4000)).toBe(true);
    expect(received).toBeLessThan(16 * body.length);
  });
});

describe('claims on servers come back to 0', () => {
  const active = (proxy: { runtime: { registry: { allServers(): { active: number }[] } } }) => proxy.runtime.registry.allServers().map((s) => s.active);

  it('after a 101 whose upstream closes during the hand-over', async () => {
    const upstream = await rawUpstream((s) => s.end(SWITCH));
    const { proxy, port } = await startProxy(simpleConfig([upstream.address]));
    const client = rawClient(port, UPGRADE());
    expect(await until(() => client.closed)).toBe(true);
    expect(await until(() => active(proxy as never)[0] === 0)).toBe(true);
  });

  it('after the client closes while the upstream has not answered the upgrade', async () => {
    const upstream = await rawUpstream(() => undefined);
    const { proxy, port } = await startProxy({ ...simpleConfig([upstream.address]), timeouts: { firstByte: 10_000 } });
    const client = rawClient(port, UPGRADE());
    expect(await until(() => upstream.heads.length === 1)).toBe(true);
    client.socket.destroy();
    expect(await until(() => active(proxy as never)[0] === 0)).toBe(true);
    // and the upstream connection is closed, not leaked until the upstream gives up
    expect(await until(() => upstream.sockets.every((s) => s.destroyed || s.readableEnded), 2000)).toBe(true);
  });

  it('after a 101 naming another protocol (h2c) and after a 101 with no Upgrade header', async () => {
    const answers = ['HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: h2c\r\n\r\n', 'HTTP/1.1 101 Switching Protocols\r\n\r\n'];
    let n = 0;
    const upstream = await rawUpstream((s) => s.write(answers[n++ % 2]));
    const { proxy, port } = await startProxy(simpleConfig([upstream.address]));
    for (let i = 0; i < 2; i++) {
      const reply = await rawRequest(port, UPGRADE(), 3000, true);
      expect(reply.status).toBe(502);
    }
    expect(await until(() => active(proxy as never)[0] === 0)).toBe(true);
  });

  it('after a client that closes right after sending the upgrade, with the 101 already on its way', async () => {
    const upstream = await rawUpstream((s) => s.write(SWITCH + 'early-frame'));
    const { proxy, port } = await startProxy(simpleConfig([upstream.address]));
    for (let i = 0; i < 20; i++) {
      const s = net.connect(port, '127.0.0.1', () => {
        s.write(UPGRADE());
        setImmediate(() => s.destroy());
      });
      s.on('error', () => undefined);
    }
    await sleep(300);
    expect(await until(() => active(proxy as never)[0] === 0)).toBe(true);
    expect(await until(() => proxy.runtime.registry.allServers()[0].record.tunnels.size === 0)).toBe(true);
  });
});

describe('odd upstream answers', () => {
  it('an enormous response head gives 502, not a crash or a hang', async () => {
    const upstream = await rawUpstream((s) => s.write(`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(200_000)}\r\ncontent-length: 2\r\n\r\nok`));
    const { port } = await startProxy(simpleConfig([upstream.address]));
    const reply = await rawRequest(port, 'GET / HTTP/1.1\r\nhost: x\r\n\r\n', 3000);
    expect(reply.status).toBe(502);
  });

  it('a header value with a control byte from the upstream gives 502 (not a crash), on requests and upgrades', async () => {
    const upstream = await rawUpstream((s, head) =>
      s.write(head.includes('upgrade: websocket') ? `HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\nx-odd: a\x01b\x7fc\r\n\r\n` : 'HTTP/1.1 200 OK\r\nx-odd: a\x01b\r\ncontent-length: 2\r\n\r\nok'),
    );
    const { port } = await startProxy(simpleConfig([upstream.address]));
    const reply = await rawRequest(port, 'GET / HTTP/1.1\r\nhost: x\r\n\r\n', 3000);
    expect([200, 502]).toContain(reply.status);
    expect(reply.text.includes('x-odd: a\x01b')).toBe(false);
    const up = await rawRequest(port, UPGRADE(), 1000, true);
    // node:http would refuse this value in a head it writes; the tunnel's head should not carry it either
    expect(up.text.includes('x-odd: a\x01b')).toBe(false);
  });
});

describe('upgrade tokens', () => {
  it('an h2c upgrade offer (curl --http2 on http://) is ignored and answered over HTTP/1.1, as nginx does, not refused with 400', async () => {
    const backend = await startBackend((_q, res) => res.end('h1'));
    const { port } = await startProxy(simpleConfig([backend.address]));
    const reply = await rawRequest(
      port,
      'GET / HTTP/1.1\r\nhost: x\r\nconnection: Upgrade, HTTP2-Settings\r\nupgrade: h2c\r\nhttp2-settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n',
      3000,
    );
    expect(reply.status).toBe(200);
    expect(reply.text.endsWith('h1')).toBe(true);
  });

  it('a 101 to a request without Upgrade fails at once, not after firstByte', async () => {
    const upstream = await rawUpstream((s) => s.write(SWITCH));
    const { port } = await startProxy({ ...simpleConfig([upstream.address]), timeouts: { firstByte: 5000 } });
    const started = Date.now();
    const reply = await rawRequest(port, 'GET / HTTP/1.1\r\nhost: x\r\n\r\n', 8000);
    expect(reply.status).toBe(502);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('replays', () => {
  /** Answers the first request on each connection, then resets the connection on the second one. */
  async function flakyKeepAlive() {
    const methods: string[] = [];
    const server = net.createServer((s) => {
      s.on('error', () => undefined);
      let seen = '';
      let answered = 0;
      s.on('data', (d) => {
        seen += d.toString('latin1');
        while (seen.includes('\r\n\r\n')) {
          const end = seen.indexOf('\r\n\r\n') + 4;
          const head = seen.slice(0, end);
          const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
          if (seen.length < end + length) return;
          seen = seen.slice(end + length);
          methods.push(head.split(' ')[0]);
          if (answered++ === 0) s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
          else s.resetAndDestroy();
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    registerCleanup(async () => new Promise((r) => server.close(r)));
    return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, methods };
  }

  it('a POST that fails on a reused connection after it was sent is not sent again', async () => {
    const upstream = await flakyKeepAlive();
    const { port } = await startProxy(simpleConfig([upstream.address]));
    expect((await rawRequest(port, 'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n', 3000)).status).toBe(200);
    const reply = await rawRequest(port, 'POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\nconnection: close\r\n\r\nabc', 3000);
    expect(reply.status).toBe(502);
    expect(upstream.methods).toEqual(['GET', 'POST']);
  });

  it('a GET that fails on a reused connection is replayed once on a fresh one', async () => {
    const upstream = await flakyKeepAlive();
    const { port } = await startProxy(simpleConfig([upstream.address]));
    expect((await rawRequest(port, 'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n', 3000)).status).toBe(200);
    const reply = await rawRequest(port, 'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n', 3000);
    expect(reply.status).toBe(200);
    expect(upstream.methods).toEqual(['GET', 'GET', 'GET']);
  });
});

describe('reload with tunnels in flight', () => {
  it('claims return to 0 (never negative) when a reload changes the server under an open tunnel', async () => {
    const upstream = await rawUpstream((s) => s.write(SWITCH));
    const base = simpleConfig([upstream.address]);
    const { proxy, port } = await startProxy(base);
    const client = rawClient(port, UPGRADE());
    expect(await until(() => client.text.includes('101'))).toBe(true);
    const { resolveConfig } = await import('../../proxy/src/config/load');
    await proxy.reload(resolveConfig({ listeners: [{ port, host: '127.0.0.1' }], log: { level: 'silent' }, ...simpleConfig([{ address: upstream.address, weight: 3 }]) }, 'test'));
    const servers = () => (proxy as never as { runtime: { registry: { allServers(): { active: number }[] } } }).runtime.registry.allServers();
    expect(servers()[0].active).toBe(1); // the tunnel's claim is seen by the new server object (same record)
    client.socket.destroy();
    expect(await until(() => servers()[0].active === 0)).toBe(true);
    await sleep(50);
    expect(servers()[0].active).toBe(0);
  });
});

describe('early answers', () => {
  it('an upstream that answers 413 before reading a stalled upload: the client gets the 413 at once', async () => {
    const upstream = await rawUpstream((s) => s.end('HTTP/1.1 413 Payload Too Large\r\ncontent-length: 3\r\nconnection: close\r\n\r\nbig'));
    const { port } = await startProxy({ ...simpleConfig([upstream.address]), timeouts: { clientBody: 5000, firstByte: 5000, upstreamIdle: 5000 } });
    const started = Date.now();
    const reply = await rawRequest(port, 'POST /up HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n0123456789', 4000);
    expect(reply.status).toBe(413);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('the same with a chunked upload', async () => {
    const upstream = await rawUpstream((s) => s.end('HTTP/1.1 413 Payload Too Large\r\ncontent-length: 3\r\nconnection: close\r\n\r\nbig'));
    const { port } = await startProxy({ ...simpleConfig([upstream.address]), timeouts: { clientBody: 5000, firstByte: 5000, upstreamIdle: 5000 } });
    const started = Date.now();
    const reply = await rawRequest(port, 'PUT /up HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\na\r\n0123456789\r\n', 4000);
    expect(reply.status).toBe(413);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('response framing from the upstream', () => {
  it('Content-Length together with Transfer-Encoding from the upstream never reaches the client as a mismatched length', async () => {
    const upstream = await rawUpstream((s) => s.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'));
    const { port } = await startProxy(simpleConfig([upstream.address]));
    const reply = await rawRequest(port, 'GET / HTTP/1.1\r\nhost: x\r\n\r\n', 1500, true);
    if (reply.status === 200) {
      const [head, body] = reply.text.split('\r\n\r\n');
      const length = /content-length: *(\d+)/i.exec(head);
      if (length) expect(body.length).toBe(Number(length[1]));
    } else expect(reply.status).toBe(502);
  });

  it('two different Content-Lengths from the upstream give 502', async () => {
    const upstream = await rawUpstream((s) => s.write('HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncontent-length: 5\r\n\r\nabcde'));
    const { port } = await startProxy(simpleConfig([upstream.address]));
    const reply = await rawRequest(port, 'GET / HTTP/1.1\r\nhost: x\r\n\r\n', 1500);
    expect(reply.status).toBe(502);
  });
});

describe('tunnels', () => {
  it('an idle tunnel is closed after tunnelIdle (nginx proxy_read_timeout), not kept forever', async () => {
    const upstream = await rawUpstream((s) => s.write(SWITCH));
    const { proxy, port } = await startProxy({ ...simpleConfig([upstream.address]), timeouts: { tunnelIdle: 300 } });
    const client = rawClient(port, UPGRADE());
    expect(await until(() => client.text.includes(' 101 '))).toBe(true);
    expect(await until(() => client.closed, 2000)).toBe(true);
    expect(proxy.runtime.registry.allServers()[0].active).toBe(0);
  });
});

describe('leaks', () => {
  it('open handles come back to where they were after upgrades that fail, tunnels that close and aborted downloads', async () => {
    const handles = () => (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
    const upstream = await rawUpstream((s, head) => {
      if (head.startsWith('GET /deny')) s.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 2\r\n\r\nno');
      else if (head.startsWith('GET /ws')) s.write(SWITCH);
      else s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${4 * 1024 * 1024}\r\n\r\n${'z'.repeat(64 * 1024)}`); // then stalls
    });
    const { proxy, port } = await startProxy({ ...simpleConfig([upstream.address]), timeouts: { upstreamIdle: 10_000 } });
    await rawRequest(port, 'GET /warm HTTP/1.1\r\nhost: x\r\n\r\n', 200, true);
    await sleep(100);
    const before = handles();
    for (let round = 0; round < 10; round++) {
      await rawRequest(port, UPGRADE('/deny'), 2000, true);
      const ws = rawClient(port, UPGRADE('/ws'));
      await until(() => ws.text.includes(' 101 '));
      ws.socket.destroy();
      const dl = rawClient(port, 'GET /big HTTP/1.1\r\nhost: x\r\n\r\n');
      await until(() => dl.text.length > 1000);
      dl.socket.destroy();
    }
    expect(await until(() => proxy.runtime.registry.allServers()[0].active === 0)).toBe(true);
    await sleep(200);
    expect(handles() - before).toBeLessThanOrEqual(2);
  });
});

describe('shutdown of plain requests (checked, holds)', () => {
  it('close(grace) resolves within about grace with a request waiting on a silent upstream, an upload and a download in flight', async () => {
    const upstream = await rawUpstream((s, head) => {
      if (head.startsWith('GET /big')) s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${64 * 1024 * 1024}\r\n\r\n${'z'.repeat(1024 * 1024)}`);
    });
    const { proxy, port } = await startProxy({ ...simpleConfig([upstream.address]), timeouts: { firstByte: 10_000, clientBody: 10_000 } });
    rawClient(port, 'GET /silent HTTP/1.1\r\nhost: x\r\n\r\n');
    rawClient(port, 'POST /up HTTP/1.1\r\nhost: x\r\ncontent-length: 100000\r\n\r\nabc');
    const dl = rawClient(port, 'GET /big HTTP/1.1\r\nhost: x\r\n\r\n');
    dl.socket.pause();
    expect(await until(() => upstream.heads.length === 3)).toBe(true);
    const took = await timedClose(proxy.close(100), 3000);
    expect(took).toBeGreaterThanOrEqual(0);
    expect(took).toBeLessThan(1000);
  });
});
