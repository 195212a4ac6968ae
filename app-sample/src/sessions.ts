// Cookie sessions held in this process's memory: exactly what breaks when a balancer sends the
// next request of a session to another instance, and what sticky sessions fix.
import session from 'express-session';
import type { RequestHandler } from 'express';
import { BoundedMemoryStore } from './session-store';

export const SESSION_COOKIE = 'connect.sid';

export function sessionMiddleware(secret: string, store = new BoundedMemoryStore()): RequestHandler {
  return session({
    name: SESSION_COOKIE,
    secret,
    store,
    resave: false,
    // no cookie until a route puts something in the session (probes and assets stay cookie-free)
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', maxAge: 24 * 3600_000 },
  });
}
