// The targets by name, in the order tables list them.
import type { TargetName } from '../settings';
import { startDirect } from './direct';
import { startFastify } from './fastify';
import { startHaproxy } from './haproxy';
import { startNginx, startNginxCache, startNginxGzip, startNginxStatic } from './nginx';
import { startPortico, startPorticoCache, startPorticoGzip, startPorticoHealth, startPorticoStatic, startPorticoSticky } from './portico';
import type { StartTarget } from './types';

export const TARGETS: Record<TargetName, StartTarget> = {
  direct: startDirect,
  portico: startPortico,
  'portico-sticky': startPorticoSticky,
  'portico-health': startPorticoHealth,
  nginx: startNginx,
  haproxy: startHaproxy,
  fastify: startFastify,
  'portico-cache': startPorticoCache,
  'nginx-cache': startNginxCache,
  'portico-static': startPorticoStatic,
  'nginx-static': startNginxStatic,
  'portico-gzip': startPorticoGzip,
  'nginx-gzip': startNginxGzip,
};
