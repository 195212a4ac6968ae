// Which load generator drives a target: wrk for plain HTTP/1.1, h2load for HTTPS/1.1 (--h1) and
// h2, ws-load.ts for WebSocket echo. The report groups targets by it (messages are not requests).
import type { TargetName } from './settings';

export type LoadKind = 'wrk' | 'h2load-h1' | 'h2load-h2' | 'ws';

const KINDS: Partial<Record<TargetName, LoadKind>> = {
  'portico-https': 'h2load-h1',
  'nginx-https': 'h2load-h1',
  'node-https': 'h2load-h1',
  'portico-h2': 'h2load-h2',
  'nginx-h2': 'h2load-h2',
  'node-h2': 'h2load-h2',
  'direct-ws': 'ws',
  'portico-ws': 'ws',
  'nginx-ws': 'ws',
};

export function loadKindOf(name: string): LoadKind {
  return KINDS[name as TargetName] ?? 'wrk';
}

export const isTls = (name: string): boolean => loadKindOf(name).startsWith('h2load');
export const isWebSocket = (name: string): boolean => loadKindOf(name) === 'ws';
