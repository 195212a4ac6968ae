// The targets by name, in the order tables list them.
import type { TargetName } from '../settings';
import { startDirect } from './direct';
import { startFastify } from './fastify';
import { startHaproxy } from './haproxy';
import { startNginx } from './nginx';
import { startPortico } from './portico';
import type { StartTarget } from './types';

export const TARGETS: Record<TargetName, StartTarget> = {
  direct: startDirect,
  portico: startPortico,
  nginx: startNginx,
  haproxy: startHaproxy,
  fastify: startFastify,
};
