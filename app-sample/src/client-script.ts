// Serves socket.io's browser client at /socket.io/socket.io.js (and .min.js, .map), the URL
// pages expect. socket.io can do it itself, but it reads the file relative to its own package
// directory, which a bundle (dist/app-sample.js, no node_modules) does not have.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const FILES = ['socket.io.js', 'socket.io.js.map', 'socket.io.min.js', 'socket.io.min.js.map'];

interface ClientFile {
  body: Buffer;
  etag: string;
  type: string;
}

/** Returns a handler that answers (and returns true) for the client URLs, false for any other. */
export function socketIoClientHandler(clientDir: string | undefined): (req: IncomingMessage, res: ServerResponse) => boolean {
  // read once at start: ~0.5 MB, and the files never change while the process runs
  const files = new Map<string, ClientFile>();
  for (const name of clientDir ? FILES : []) {
    try {
      const body = readFileSync(path.join(clientDir!, name));
      const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
      const type = name.endsWith('.map') ? 'application/json; charset=utf-8' : 'text/javascript; charset=utf-8';
      files.set(`/socket.io/${name}`, { body, etag, type });
    } catch {
      // a missing .map is no reason not to serve the script
    }
  }

  return (req, res) => {
    const file = files.get((req.url ?? '').split('?')[0]);
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    res.setHeader('Content-Type', file.type);
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.setHeader('ETag', file.etag);
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304).end();
    } else {
      res.setHeader('Content-Length', file.body.length);
      res.writeHead(200).end(req.method === 'HEAD' ? undefined : file.body);
    }
    return true;
  };
}
