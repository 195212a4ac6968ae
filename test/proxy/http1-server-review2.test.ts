// Second hostile review of the native HTTP/1.1 server: TLS wiring and RawResponse as the handler
// chain uses it. Real sockets on 127.0.0.1.
import net from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { http1ServerKind } from '../../proxy/src/server/h1/http1-server-kind';
import { rawConnection, rawRequest, occurrences } from '../helpers/raw-http';
import { registerCleanup, simpleConfig, startBackend, startProxy, sleep } from '../helpers/servers';
import { certDir, filesOf, makeCertificate } from '../helpers/tls-certs';
import { startTlsProxy } from '../helpers/tls-clients';

jest.setTimeout(20_000);

const native = http1ServerKind() === 'native';
const nativeIt = native ? it : it.skip;

function tlsSocket(port: number, alpn?: string[]): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, servername: 'a.test', ...(alpn ? { ALPNProtocols: alpn } : {}) }, () => resolve(socket));
    socket.once('error', reject);
    registerCleanup(async () => socket.destroy());
  });
}

describe('native HTTP/1.1 over TLS', () => {
  for (const http2 of [true, false]) {
    it(`survives a client that stops reading past clientSend (${http2 ? 'h2' : 'https'} listener)`, async () => {
      const errors: unknown[] = [];
      const onUncaught = (e: unknown) => errors.push(e);
      process.on('uncaughtException', onUncaught);
      registerCleanup(async () => process.off('uncaughtException', onUncaught));
      let upstreamClosed = false;
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const backend = await startBackend((_q, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const pump = () => {
          while (!upstreamClosed && res.write(chunk));
          if (!upstreamClosed) res.once('drain', pump);
        };
        res.on('close', () => (upstreamClosed = true));
        pump();
      });
      const cert = makeCertificate(certDir(), 'a', ['a.test']);
      const { port } = await startTlsProxy({ ...simpleConfig([backend.address]), timeouts: { clientSend: 300 } }, { certificates: [filesOf(cert)], http2 });
      const socket = await tlsSocket(port, ['http/1.1']);
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      socket.on('error', () => undefined);
      socket.write('GET / HTTP/1.1\r\nHost: a.test\r\n\r\n');
      socket.pause(); // never read
      await sleep(1500);
      expect(errors.map(String)).toEqual([]);
      socket.resume();
      await closed;
      expect(upstreamClosed).toBe(true);
    });
  }
});

describe('closing a TLS listener', () => {
  for (const http2 of [true, false]) {
    const kind = http2 ? 'h2' : 'https';
    it(`ends within the grace a client that connected but never began the handshake (${kind})`, async () => {
      const backend = await startBackend();
      const cert = makeCertificate(certDir(), 'a', ['a.test']);
      const { proxy, port } = await startTlsProxy(simpleConfig([backend.address]), { certificates: [filesOf(cert)], http2 });
      const raw = net.connect(port, '127.0.0.1');
      raw.on('error', () => undefined);
      registerCleanup(async () => raw.destroy());
      await new Promise((r) => raw.once('connect', r));
      await sleep(100);
      const started = Date.now();
      const done = proxy.close(200).then(() => Date.now() - started);
      const took = await Promise.race([done, sleep(5000).then(() => -1)]);
      expect(took).toBeGreaterThanOrEqual(0);
      expect(took).toBeLessThan(2000);
    });

    it(`closes at once an idle native connection and ends one mid-head at the grace (${kind})`, async () => {
      const backend = await startBackend();
      const cert = makeCertificate(certDir(), 'a', ['a.test']);
      const { proxy, port } = await startTlsProxy(simpleConfig([backend.address]), { certificates: [filesOf(cert)], http2 });
      const idle = await tlsSocket(port, ['http/1.1']);
      idle.on('error', () => undefined);
      const idleClosed = new Promise<number>((r) => idle.once('close', () => r(Date.now())));
      const midHead = await tlsSocket(port);
      midHead.on('error', () => undefined);
      const midClosed = new Promise<number>((r) => midHead.once('close', () => r(Date.now())));
      midHead.write('GET / HTTP/1.1\r\nHost: a.test\r\n');
      await sleep(100);
      const started = Date.now();
      const done = proxy.close(300).then(() => Date.now() - started);
      const took = await Promise.race([done, sleep(5000).then(() => -1)]);
      expect(took).toBeGreaterThanOrEqual(0);
      expect(took).toBeLessThan(2000);
      expect((await idleClosed) - started).toBeLessThan(250);
      expect(await midClosed).toBeGreaterThan(0);
    });

    it(`answers a request in flight at shutdown with Connection: close, then closes (${kind})`, async () => {
      let release: () => void = () => undefined;
      const backend = await startBackend((_q, res) => {
        release = () => res.end('late');
      });
      const cert = makeCertificate(certDir(), 'a', ['a.test']);
      const { proxy, port } = await startTlsProxy(simpleConfig([backend.address]), { certificates: [filesOf(cert)], http2 });
      const socket = await tlsSocket(port, ['http/1.1']);
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      socket.on('error', () => undefined);
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      socket.write('GET / HTTP/1.1\r\nHost: a.test\r\n\r\n');
      while (backend.requests.length === 0) await sleep(20);
      const done = proxy.close(3000);
      await sleep(100);
      release();
      await closed;
      await done;
      expect(text).toMatch(/^HTTP\/1\.1 200 /);
      expect(text.endsWith('late')).toBe(true);
      expect(text).toMatch(/\r\nconnection: close\r\n/i);
    });
  }
});

describe('closing a plain listener', () => {
  nativeIt('answers a request in flight at shutdown with Connection: close, then closes', async () => {
    let release: () => void = () => undefined;
    const backend = await startBackend((_q, res) => {
      release = () => res.end('late');
    });
    const { proxy, port } = await startProxy(simpleConfig([backend.address]));
    const conn = await rawConnection(port);
    conn.write('GET / HTTP/1.1\r\nHost: a.test\r\n\r\n');
    while (backend.requests.length === 0) await sleep(20);
    const done = proxy.close(3000);
    await sleep(100);
    release();
    await conn.closed;
    await done;
    expect(conn.text.endsWith('late')).toBe(true);
    expect(conn.text).toMatch(/\r\nconnection: close\r\n/i);
  });
});
