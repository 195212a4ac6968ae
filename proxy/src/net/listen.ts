// Binding a server: resolves once it listens, rejects with the bind error (EADDRINUSE, EACCES...)
// and leaves no error listener behind.
import type { Server } from 'node:net';

export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
