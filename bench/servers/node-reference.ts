// The Node floor: Node's own server APIs answering every request from memory with the backend's
// bytes and headers, no proxy work, so the report can show what Node itself costs beside nginx.
// Modes: http (node:http), https (node:https, HTTP/1.1 only) and h2 (node:http2 stream API, h2
// only); the TLS ones take Portico's TLS settings (tls-settings.ts) and the run's certificate.
// Usage: node --import tsx bench/servers/node-reference.ts http|https|h2 PORT [CERT_FILE KEY_FILE]
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { secureContextOptions } from '../../proxy/src/tls/tls-settings';
import { answerFixed, FIXED_RESPONSES } from '../content/fixed-responses';

const [mode, portArg, certFile, keyFile] = process.argv.slice(2);
const port = Number(portArg);
const ignore = () => undefined;


/** The h2 handler on the stream API (the compatibility API costs more: issue 11 measured 0.50x vs 0.60x nginx). */
function answerStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
  stream.on('error', ignore); // a client's reset must not end the process
  const fixed = FIXED_RESPONSES.get(headers[':path'] ?? '');
  if (!fixed) {
    stream.respond({ ':status': 404, 'content-length': 0 }, { endStream: true });
    return;
  }
  stream.respond({ ':status': 200, ...fixed.headers });
  stream.end(fixed.body);
}

function tlsOptions() {
  if (!certFile || !keyFile) throw new Error(`node-reference ${mode}: CERT_FILE and KEY_FILE are required`);
  // Portico's listener policy: TLS 1.2/1.3, its suites and curves, session timeout, ticket keys.
  return secureContextOptions(readFileSync(certFile), readFileSync(keyFile), randomBytes(48));
}

function createServer(): http.Server | https.Server | http2.Http2SecureServer {
  switch (mode) {
    case 'http':
      return http.createServer({ noDelay: true }, answerFixed);
    case 'https':
      return https.createServer({ ...tlsOptions(), ALPNProtocols: ['http/1.1'], noDelay: true }, answerFixed);
    case 'h2': {
      // noDelay as Portico: node:http2 otherwise leaves Nagle on.
      const server = http2.createSecureServer({ ...tlsOptions(), allowHTTP1: false, noDelay: true });
      server.on('stream', answerStream);
      server.on('sessionError', ignore);
      return server;
    }
    default:
      throw new Error(`node-reference: unknown mode "${mode}" (http, https or h2)`);
  }
}

const server = createServer();
server.listen(port, '127.0.0.1', () => process.stdout.write(`node-reference ${mode} ready on ${port}\n`));
process.on('SIGTERM', () => process.exit(0));
