// fastify + @fastify/http-proxy (undici keep-alive pool), the mainstream Node proxy we compare with.
// Usage: node --import tsx bench/servers/fastify-proxy.ts PORT UPSTREAM_PORT
import proxy from '@fastify/http-proxy';
import Fastify from 'fastify';

async function main(): Promise<void> {
  const [port, upstreamPort] = process.argv.slice(2).map(Number);
  const app = Fastify({ logger: false });
  await app.register(proxy, {
    upstream: `http://127.0.0.1:${upstreamPort}`,
    undici: { connections: 128, pipelining: 1, keepAliveTimeout: 60_000 },
  });
  await app.listen({ port, host: '127.0.0.1' });
  process.stdout.write(`fastify proxy ready on ${port}\n`);
  process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`fastify-proxy: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
