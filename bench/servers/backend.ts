// The backend every target proxies to: node:http returning a fixed text buffer with content-length
// (text/plain, so the gzip targets compress it; the others pass it through byte for byte).
// Usage: node --import tsx bench/servers/backend.ts PORT
import http from 'node:http';
import { answerFixed } from '../content/fixed-responses';

const port = Number(process.argv[2]);

const server = http.createServer(answerFixed);
// Proxies keep idle upstream connections for up to a minute between the interleaved runs; a
// backend closing them earlier (node's default is 5 s) races with reuse and shows up as errors.
server.keepAliveTimeout = 300_000;
server.headersTimeout = 301_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`backend ready on ${port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
