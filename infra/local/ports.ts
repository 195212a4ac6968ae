import net from 'node:net';

/** Fails with one line naming the first port already in use, before anything is started. */
export async function assertPortsFree(ports: { port: number; what: string }[], host = '127.0.0.1'): Promise<void> {
  for (const { port, what } of ports) {
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      const probe = net.createServer();
      probe.once('error', resolve);
      probe.listen(port, host, () => probe.close(() => resolve(null)));
    });
    if (error) {
      const reason = error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${error.code})`;
      throw new Error(`port ${port} (${what}) ${reason}; pick another with ${flagFor(what)}`);
    }
  }
}

function flagFor(what: string): string {
  if (what.startsWith('app')) return '--app-port';
  if (what.includes('admin')) return '--admin-port';
  return what.includes('https') ? '--https-port' : '--http-port';
}
