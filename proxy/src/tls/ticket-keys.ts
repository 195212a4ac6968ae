// Session ticket keys (RFC 5077), made at random and replaced on a timer, so that a stolen key
// decrypts at most one period of traffic (forward secrecy for resumed sessions). Tickets made with
// the previous key are refused after a rotation: those clients do one full handshake.
// A multi-process proxy will get its keys from the primary (one set for every worker).
import { randomBytes } from 'node:crypto';

/** NGINX rotates nothing by itself; Caddy every 12 h. */
export const TICKET_KEY_ROTATION_MS = 12 * 3600_000;

/** 48 bytes: name, HMAC secret and AES key, as node's setTicketKeys wants. */
export function newTicketKeys(): Buffer {
  return randomBytes(48);
}

export class TicketKeyRotation {
  private timer: NodeJS.Timeout;

  constructor(onRotate: (keys: Buffer) => void, periodMs = TICKET_KEY_ROTATION_MS) {
    this.timer = setInterval(() => onRotate(newTicketKeys()), periodMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
