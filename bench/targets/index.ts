// The targets by name, in the order tables list them.
import type { TargetName } from '../settings';
import { startDirect, startDirectWs } from './direct';
import { startFastify } from './fastify';
import { startHaproxy } from './haproxy';
import { startNginx, startNginxCache, startNginxGzip, startNginxStatic } from './nginx';
import { startNginxH2, startNginxHttps } from './nginx-tls';
import { startNginxWs } from './nginx-ws';
import { startNodeH2, startNodeHttp, startNodeHttps } from './node-reference';
import { startPortico, startPorticoCache, startPorticoCacheNodeHttp, startPorticoGzip, startPorticoHealth, startPorticoStatic, startPorticoSticky } from './portico';
import { startPorticoH2, startPorticoHttps } from './portico-tls';
import { startPorticoWs } from './portico-ws';
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
  'portico-cache-node-http': startPorticoCacheNodeHttp,
  'nginx-cache': startNginxCache,
  'portico-static': startPorticoStatic,
  'nginx-static': startNginxStatic,
  'node-http': startNodeHttp,
  'portico-gzip': startPorticoGzip,
  'nginx-gzip': startNginxGzip,
  'portico-https': startPorticoHttps,
  'nginx-https': startNginxHttps,
  'node-https': startNodeHttps,
  'portico-h2': startPorticoH2,
  'nginx-h2': startNginxH2,
  'node-h2': startNodeH2,
  'direct-ws': startDirectWs,
  'portico-ws': startPorticoWs,
  'nginx-ws': startNginxWs,
};
