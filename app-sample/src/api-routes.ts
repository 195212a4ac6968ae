// The JSON API: /api/whoami shows which instance answered and the session's counter (the point
// of the demo: without sticky sessions the counter restarts whenever another instance answers);
// /api/slow holds a request open, to watch draining and timeouts.
import { hostname } from 'node:os';
import { Router, type RequestHandler } from 'express';

declare module 'express-session' {
  interface SessionData {
    counter: number;
    startedAt: number;
  }
}

export const MAX_SLOW_MS = 30_000;

export function apiRoutes(instanceId: string, sessions: RequestHandler): Router {
  const router = Router();

  router.get('/whoami', sessions, (req, res) => {
    const session = req.session;
    session.counter = (session.counter ?? 0) + 1;
    session.startedAt ??= Date.now();
    res.set('Cache-Control', 'no-store').json({
      instance: instanceId,
      counter: session.counter,
      sessionStartedAt: new Date(session.startedAt).toISOString(),
      hostname: hostname(),
      pid: process.pid,
    });
  });

  router.get('/slow', (req, res) => {
    const ms = Number(req.query.ms ?? 1000);
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_SLOW_MS) {
      res.status(400).json({ error: `ms must be an integer in 0..${MAX_SLOW_MS}` });
      return;
    }
    const timer = setTimeout(() => res.json({ instance: instanceId, sleptMs: ms }), ms);
    // the client went away (or the connection was cut at shutdown): nothing left to answer
    res.once('close', () => clearTimeout(timer));
  });

  return router;
}
