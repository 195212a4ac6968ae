// A tiny app: answers on PORT, says it is ready on /ready, stops cleanly on SIGTERM.
const http = require('node:http');

let ready = false;
const server = http.createServer((req, res) => {
  if (req.url === '/ready') {
    res.writeHead(ready ? 200 : 503).end(ready ? 'ready' : 'not ready');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' }).end(`${process.env.GREETING} (${process.env.INSTANCE_ID})\n`);
});
server.listen(Number(process.env.PORT), process.env.HOST, () => (ready = true));
process.on('SIGTERM', () => {
  ready = false;
  setTimeout(() => server.close(() => process.exit(0)), Number(process.env.SHUTDOWN_DELAY_MS ?? 0)).unref();
});
