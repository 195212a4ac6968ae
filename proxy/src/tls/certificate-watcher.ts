// Watches a listener's certificate files and reports a change once things settle. Each path is
// polled with stat (fs.watchFile), not watched with inotify: stat follows the path, so a new file
// renamed over the old one (certbot, ACME clients) and a swapped symlink (a Kubernetes secret's
// `..data`) are both seen, and the proxy is never woken by other files written in the same
// directory (a busy log beside the certificate cost a core's tenth per TLS listener).
import { unwatchFile, watchFile, type Stats } from 'node:fs';

/** Writers put a key and a certificate in two steps: wait until both are there. */
const SETTLE_MS = 200;
/** How often each file is stat'ed: a new certificate is served within about this. */
const POLL_MS = 1000;

export class CertificateWatcher {
  private readonly files: string[];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    files: readonly string[],
    private readonly onChange: () => void,
    private readonly settleMs = SETTLE_MS,
    pollMs = POLL_MS,
  ) {
    this.files = [...new Set(files)];
    for (const file of this.files) watchFile(file, { persistent: false, interval: pollMs }, this.polled);
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    for (const file of this.files) unwatchFile(file, this.polled);
  }

  /** node calls this only when the stat differs (inode, size, times, mode, or the file went). */
  private readonly polled = (_now: Stats, _before: Stats): void => {
    if (this.closed) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.onChange();
    }, this.settleMs);
    this.timer.unref();
  };
}
