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
