// The targets by name, in the order tables list them.
import type { TargetName } from '../settings';
import { startDirect } from './direct';
import { startFastify } from './fastify';
import { startHaproxy } from './haproxy';
import { startNginx } from './nginx';
import { startPortico, startPorticoHealth, startPorticoSticky } from './portico';
import type { StartTarget } from './types';

export const TARGETS: Record<TargetName, StartTarget> = {
  direct: startDirect,
  portico: startPortico,
  'portico-sticky': startPorticoSticky,
  'portico-health': startPorticoHealth,
  nginx: startNginx,
  haproxy: startHaproxy,
  fastify: startFastify,
};
