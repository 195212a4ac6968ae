// acme-client reports network failures only to its debug logger (its error is then an unrelated
// TypeError). Its last few log lines are kept so a failed order says what actually went wrong.
import * as acme from 'acme-client';

const KEEP = 5;
const recent: string[] = [];
let installed = false;

export function watchAcmeClientLog(): void {
  if (installed) return;
  installed = true;
  acme.setLogger((line: string) => {
    recent.push(line);
    if (recent.length > KEEP) recent.shift();
  });
}

/** The error with acme-client's last events appended when they say more than its message. */
export function explainAcmeError(err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  // Its TypeError on a network failure says nothing: then every recent line is worth showing.
  const events = err instanceof TypeError ? [...recent] : recent.filter((l) => /Caught|error|fail/i.test(l));
  recent.length = 0;
  if (!events.length) return err instanceof Error ? err : new Error(message);
  return new Error(`${message} (ACME client: ${events.join('; ')})`);
}

/** Forgets earlier lines: called when an order starts. */
export function resetAcmeClientLog(): void {
  recent.length = 0;
}
