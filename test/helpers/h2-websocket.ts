// RFC 8441 WebSocket over HTTP/2 from the client side, with raw frames (node:http2 has no
// WebSocket client): open an extended CONNECT, write masked frames, read the server's frames.
import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { registerCleanup } from './servers';

/** A ws echo upstream recording the Close codes it receives. */
export async function wsEchoUpstream(): Promise<{ address: string; closes: number[]; server: WebSocketServer }> {
  const closes: number[] = [];
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  server.on('connection', (ws) => {
    ws.on('message', (data) => ws.send(`echo ${data}`));
    ws.on('close', (code) => closes.push(code));
  });
  registerCleanup(async () => {
    for (const c of server.clients) c.terminate();
    await new Promise((r) => server.close(r));
  });
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, closes, server };
}

/** An extended CONNECT for a WebSocket on `session`; resolves with the stream once the answer came. */
export async function openH2WebSocket(session: ClientHttp2Session, path = '/chat'): Promise<{ stream: ClientHttp2Stream; status: number }> {
  if (!session.remoteSettings.enableConnectProtocol) await new Promise((r) => session.once('remoteSettings', r));
  const stream = session.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':path': path, ':scheme': 'https', ':authority': 'localhost', 'sec-websocket-version': '13' }, { endStream: false });
  stream.on('error', () => undefined);
  const headers = await new Promise<Record<string, unknown>>((resolve) => stream.once('response', resolve));
  return { stream, status: Number(headers[':status']) };
}

/** A masked client text frame (RFC 6455 §5.3), payload under 126 bytes. */
export function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([1, 2, 3, 4]);
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload.map((b, i) => b ^ mask[i % 4])]);
}

/** The next unmasked server frame (small frames only): opcode and payload. */
export function nextFrame(stream: ClientHttp2Stream): Promise<{ opcode: number; payload: Buffer }> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < 2 + (buffered[1] & 0x7f)) return;
      stream.off('data', onData);
      resolve({ opcode: buffered[0] & 0x0f, payload: buffered.subarray(2, 2 + (buffered[1] & 0x7f)) });
    };
    stream.on('data', onData);
  });
}

/** Sends `text` and resolves with the text of the next frame back. */
export async function roundTrip(stream: ClientHttp2Stream, text: string): Promise<string> {
  const reply = nextFrame(stream);
  stream.write(textFrame(text));
  return (await reply).payload.toString();
}
