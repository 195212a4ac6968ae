// A loopback port that was free a moment ago (the kernel's pick for port 0), for programs that
// must be told their port up front (pebble, openssl ocsp, a second listener of one proxy).
import net from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
