// The Express application: probes, the JSON API, the static page and its assets.
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { apiRoutes } from './api-routes';
import { healthRoutes } from './health-routes';
import type { Lifecycle } from './lifecycle';
import type { Log } from './log';

export interface WebOptions {
  instanceId: string;
  publicDir: string;
  lifecycle: Lifecycle;
  sessions: RequestHandler;
  log: Log;
  accessLog: boolean;
}

export function createWeb(o: WebOptions): Express {
  const web = express();
  web.disable('x-powered-by');
  if (o.accessLog) web.use(accessLog(o.log));
  web.use(healthRoutes(o.lifecycle, o.instanceId));
  web.use('/api', apiRoutes(o.instanceId, o.sessions));
  web.use(
    express.static(o.publicDir, {
      // the page must be revalidated (it names the current assets); the assets may be cached a
      // little, by browsers and by the proxy's cache
      setHeaders: (res, file) => res.setHeader('Cache-Control', file.endsWith('.html') ? 'no-cache' : 'public, max-age=300'),
    }),
  );
  web.use((req, res) => {
    res.status(404).json({ error: 'not found', path: req.path });
  });
  web.use(errorHandler(o.log));
  return web;
}

function accessLog(log: Log): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      log('request', { method: req.method, path: req.path, status: res.statusCode, ms: ms.toFixed(1) });
    });
    next();
  };
}

function errorHandler(log: Log): ErrorRequestHandler {
  return (err: { status?: number; statusCode?: number; message?: string }, req, res, _next) => {
    const status = err.status ?? err.statusCode ?? 500;
    if (status >= 500) log('error', { path: req.path, message: err.message });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(status).json({ error: status >= 500 ? 'internal error' : (err.message ?? 'bad request') });
  };
}
