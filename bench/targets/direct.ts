// The limit: wrk straight to the backend.
import type { StartTarget } from './types';

export const startDirect: StartTarget = async (ctx) => ({ name: 'direct', label: 'direct (no proxy)', port: ctx.backendPort });
