// Watches a listener's certificate files and reports a change once things settle. The directories
// are watched, not the files: certbot and ACME clients replace a file by renaming a new one over
// it, which leaves a watch on the old inode silent.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Writers put a key and a certificate in two steps: wait until both are there. */
const SETTLE_MS = 200;

export class CertificateWatcher {
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    files: readonly string[],
    private readonly onChange: () => void,
    private readonly settleMs = SETTLE_MS,
  ) {
    const byDir = new Map<string, Set<string>>();
    for (const file of files) {
      const names = byDir.get(dirname(file)) ?? new Set<string>();
      names.add(basename(file));
      byDir.set(dirname(file), names);
    }
    for (const [dir, names] of byDir) {
      try {
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          if (name === null || names.has(name.toString())) this.changed();
        });
        watcher.on('error', () => watcher.close()); // the directory went away: reloads still apply
        this.watchers.push(watcher);
      } catch {
        // Not watchable (gone, permissions): a config reload still picks up new files.
      }
    }
  }

  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
  }

  private changed(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.onChange();
    }, this.settleMs);
    this.timer.unref();
  }
}
