// "Does this target answer correctly?" before the runs and after each one, in the target's own
// protocol: GET over HTTP/1.1 (plain or TLS) or h2 with the exact body size, or one WebSocket echo.
import http2 from 'node:http2';
import https from 'node:https';
import WebSocket from 'ws';
import { textBody } from './content/text-body';
import { loadKindOf } from './load-kind';
import { checkResponse, HOST } from './net';
import { BODY_BYTES, type BodyName } from './settings';
import type { RunningTarget } from './targets/types';

const TIMEOUT_MS = 5000;

export function checkTarget(t: RunningTarget, body: BodyName): Promise<void> {
  const bytes = BODY_BYTES[body];
  switch (loadKindOf(t.name)) {
    case 'wrk':
      return checkResponse(t.port, `/${body}`, bytes);
    case 'h2load-h1':
      return checkHttps(t.port, `/${body}`, bytes);
    case 'h2load-h2':
      return checkH2(t.port, `/${body}`, bytes);
    case 'ws':
      return checkEcho(t.port, bytes);
  }
}

const verdict = (path: string, status: number | undefined, got: number, bytes: number): Error | null =>
  status !== 200
    ? new Error(`GET ${path} answered ${status}, expected 200`)
    : got !== bytes
      ? new Error(`GET ${path} returned ${got} bytes, expected ${bytes}`)
      : null;

/** HTTPS/1.1 (node:https offers no ALPN, so HTTP/1.1); the bench's certificate is self-signed, hence no verification. */
function checkHttps(port: number, path: string, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: HOST, port, path, agent: false, rejectUnauthorized: false, timeout: TIMEOUT_MS }, (res) => {
      let got = 0;
      res.on('data', (c: Buffer) => (got += c.length));
      res.on('end', () => {
        const err = verdict(path, res.statusCode, got, bytes);
        if (err) reject(err);
        else resolve();
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
  });
}

function checkH2(port: number, path: string, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://${HOST}:${port}`, { rejectUnauthorized: false });
    const fail = (err: Error) => (session.destroy(), reject(err));
    const timer = setTimeout(() => fail(new Error(`h2 GET ${path} timed out`)), TIMEOUT_MS);
    session.on('error', fail);
    const req = session.request({ ':path': path });
    let status: number | undefined;
    let got = 0;
    req.on('response', (headers) => (status = Number(headers[':status'])));
    req.on('data', (c: Buffer) => (got += c.length));
    req.on('end', () => {
      clearTimeout(timer);
      session.close();
      const err = verdict(path, status, got, bytes);
      if (err) reject(err);
      else resolve();
    });
    req.on('error', fail);
  });
}

/** One binary message of `bytes` must come back unchanged. */
function checkEcho(port: number, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const message = textBody(bytes);
    const ws = new WebSocket(`ws://${HOST}:${port}/echo`, { perMessageDeflate: false, handshakeTimeout: TIMEOUT_MS });
    const fail = (err: Error) => (ws.terminate(), reject(err));
    const timer = setTimeout(() => fail(new Error('WebSocket echo timed out')), TIMEOUT_MS);
    ws.once('open', () => ws.send(message, { binary: true }));
    ws.once('message', (data: Buffer) => {
      clearTimeout(timer);
      ws.close();
      if (data.equals(message)) resolve();
      else reject(new Error(`WebSocket echo of ${bytes} bytes came back as ${data.length} different bytes`));
    });
    ws.once('unexpected-response', (_req, res) => (clearTimeout(timer), fail(new Error(`the upgrade was answered ${res.statusCode}`))));
    ws.once('error', (err) => (clearTimeout(timer), fail(err)));
  });
}
