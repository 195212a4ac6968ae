// The TCP socket under a TLS socket that a node TLS server accepted. Node keeps it as `_parent`
// (internal, undocumented); when a Node version does not, callers get null and fall back
// (test/proxy/tcp-under-tls.test.ts checks it on each Node version CI runs).
import { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

export function tcpSocketUnder(socket: TLSSocket): Socket | null {
  const parent = (socket as { _parent?: unknown })._parent;
  return parent instanceof Socket && !(parent as { encrypted?: boolean }).encrypted ? parent : null;
}
