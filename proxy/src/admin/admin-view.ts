// What the admin listener reads and changes: the server state owner and the current runtime.
import type { NameStatus } from '../acme/acme-manager';
import type { Runtime } from '../runtime';
import type { Logger } from '../log';
import type { ServerBook } from '../upstream/server-book';

export interface AdminView {
  /** The one owner of server state, counters and runtime overrides. */
  readonly book: ServerBook;
  /** The runtime in force now (it changes on reload). */
  runtime(): Runtime;
  /** Epoch ms of the proxy's start. */
  readonly startedAt: number;
  /** Per ACME name: its certificate's source and expiry, failures, next attempt; null (or absent): ACME off. */
  acme?(): NameStatus[] | null;
}

/** What the admin API needs beyond reading: applying runtime changes, and a log. */
export interface AdminControl extends AdminView {
  /**
   * Rebuilds the upstreams from the running config and the book's overrides (an added, removed
   * or reweighted server), without a config reload: unchanged servers keep their pools.
   */
  applyServerChanges(): void;
  readonly log: Logger;
}
