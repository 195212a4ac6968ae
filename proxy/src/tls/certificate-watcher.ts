// Watches a listener's certificate files and reports a change once things settle. Each path is
// polled with stat, not watched with inotify: stat follows the path, so a new file renamed over
// the old one (certbot, ACME clients) and a swapped symlink (a Kubernetes secret's `..data`) are
// both seen, and the proxy is never woken by other files written in the same directory (a busy log
// beside the certificate cost a tenth of a core per TLS listener).
// Our own timer rather than fs.watchFile: node shares one poller per path across the process (its
// first user sets the interval for all), and takes its first stat later, on the thread pool, so a
// change right after the files were read could become the baseline and go unseen. Here the
// baseline is taken when the watcher is made.
import { stat, statSync, type Stats } from 'node:fs';

/** Writers put a key and a certificate in two steps: wait until both are there. */
const SETTLE_MS = 200;
/** How often each file is stat'ed: a new certificate is served within about this. */
const POLL_MS = 1000;

/** What a path points at now: the file's identity, size and times, or why there is none. */
function signature(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.mode}`;
}

function missing(err: unknown): string {
  return `missing:${(err as NodeJS.ErrnoException).code ?? 'error'}`;
}

export class CertificateWatcher {
  /** The last signature seen per path. */
  private readonly seen = new Map<string, string>();
  private poller: NodeJS.Timeout | null = null;
  private settle: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    files: readonly string[],
    private readonly onChange: () => void,
    private readonly settleMs = SETTLE_MS,
    private readonly pollMs = POLL_MS,
  ) {
    for (const file of new Set(files)) {
      try {
        this.seen.set(file, signature(statSync(file)));
      } catch (err) {
        this.seen.set(file, missing(err));
      }
    }
    this.schedule();
  }

  close(): void {
    this.closed = true;
    if (this.poller !== null) clearTimeout(this.poller);
    if (this.settle !== null) clearTimeout(this.settle);
  }

  /** The next round starts once the last one's stats are all back: a hung file system never piles them up. */
  private schedule(): void {
    if (this.closed || this.seen.size === 0) return;
    this.poller = setTimeout(() => this.poll(), this.pollMs);
    this.poller.unref();
  }

  private poll(): void {
    let pending = this.seen.size;
    let changed = false;
    for (const file of this.seen.keys()) {
      stat(file, (err, st) => {
        const now = err === null ? signature(st) : missing(err);
        if (now !== this.seen.get(file)) {
          this.seen.set(file, now);
          changed = true;
        }
        if (--pending > 0 || this.closed) return;
        if (changed) this.changed();
        this.schedule();
      });
    }
  }

  private changed(): void {
    if (this.settle !== null) clearTimeout(this.settle);
    this.settle = setTimeout(() => {
      this.settle = null;
      this.onChange();
    }, this.settleMs);
    this.settle.unref();
  }
}
