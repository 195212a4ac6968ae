// The WebSocket backend of the ws targets: a `ws` server echoing every message as it came (binary
// stays binary), no compression (as the load client asks none).
// Usage: node --import tsx bench/servers/ws-echo.ts PORT
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2]);
const wss = new WebSocketServer({ port, host: '127.0.0.1', perMessageDeflate: false, maxPayload: 1 << 20 });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => ws.terminate());
});
wss.on('listening', () => process.stdout.write(`ws echo ready on ${port}\n`));
process.on('SIGTERM', () => {
  for (const ws of wss.clients) ws.terminate();
  wss.close(() => process.exit(0));
});
