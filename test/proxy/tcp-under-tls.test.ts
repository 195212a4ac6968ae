// tcpSocketUnder: the TCP socket a node TLS server accepted, found from the TLS socket it became
// (node's internal `_parent`). The reset of a client past clientSend and the listener's count of
// handshakes in progress rely on it; this fails on a Node version that no longer keeps it.
import type { Socket } from 'node:net';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import { tcpSocketUnder } from '../../proxy/src/net/tcp-under-tls';
import { registerCleanup } from '../helpers/servers';
import { certDir, makeCertificate } from '../helpers/tls-certs';

describe('the TCP socket under a TLS socket', () => {
  it('is the socket the TLS server accepted, and null for a socket with none', async () => {
    const cert = makeCertificate(certDir(), 'a', ['a.test']);
    const server = createServer({ key: readFileSync(cert.key), cert: readFileSync(cert.cert) });
    let accepted: Socket | null = null;
    server.on('connection', (socket: Socket) => (accepted = socket));
    const secured = new Promise<TLSSocket>((resolve) => server.once('secureConnection', resolve));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registerCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const client = connect({ port: (server.address() as { port: number }).port, host: '127.0.0.1', rejectUnauthorized: false });
    client.on('error', () => undefined);
    registerCleanup(async () => client.destroy());
    const tls = await secured;
    expect(accepted).not.toBeNull();
    expect(tcpSocketUnder(tls)).toBe(accepted);
    expect(tcpSocketUnder({} as TLSSocket)).toBeNull();
    tls.destroy();
  });
});
