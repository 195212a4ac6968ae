// A loopback port that was free a moment ago (the kernel's pick for port 0), for programs that
// must be told their port up front (pebble, openssl ocsp, a second listener of one proxy).
// The kernel may pick the same port again once it is closed, so a port handed out once in this
// process is never handed out again: two calls in a row give two ports.
import net from 'node:net';

const handedOut = new Set<number>();

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await kernelPick();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('freePort: the kernel kept picking ports already handed out');
}

function kernelPick(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
