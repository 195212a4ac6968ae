// What the admin listener reads and changes: the server state owner and the current runtime.
import type { Runtime } from '../runtime';
import type { ServerBook } from '../upstream/server-book';

export interface AdminView {
  /** The one owner of server state, counters and runtime overrides. */
  readonly book: ServerBook;
  /** The runtime in force now (it changes on reload). */
  runtime(): Runtime;
  /** Epoch ms of the proxy's start. */
  readonly startedAt: number;
}
