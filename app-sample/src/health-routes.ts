// Probes for orchestrators and the proxy's active health checks. They sit before the session
// middleware so that probing never creates sessions.
import { Router } from 'express';
import type { Lifecycle } from './lifecycle';

export function healthRoutes(lifecycle: Lifecycle, instanceId: string): Router {
  const router = Router();
  const noStore = { 'Cache-Control': 'no-store' };

  // Liveness: the process runs and its event loop answers.
  router.get('/healthz', (_req, res) => {
    res.set(noStore).json({ status: 'ok', instance: instanceId });
  });

  // Readiness: send traffic here? No while warming up or draining.
  router.get('/readyz', (_req, res) => {
    res
      .status(lifecycle.ready ? 200 : 503)
      .set(noStore)
      .json({ ready: lifecycle.ready, state: lifecycle.state, instance: instanceId });
  });

  return router;
}
