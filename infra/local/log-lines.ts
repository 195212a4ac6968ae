// Readable local logs: every line prefixed with its process, pino's JSON lines shortened to
// "level msg key=value".
const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const SKIP = new Set(['level', 'time', 'msg', 'svc', 'pid', 'hostname']);

export function formatLine(label: string, line: string): string {
  return `${label.padEnd(10)} | ${humanize(line)}`;
}

function humanize(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    if (typeof entry.msg !== 'string') return line;
    const level = typeof entry.level === 'number' ? (LEVELS[entry.level] ?? entry.level) : entry.level;
    const fields = Object.entries(entry)
      .filter(([k]) => !SKIP.has(k))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    return [level === 'info' ? '' : `${level}`, entry.msg, ...fields].filter(Boolean).join(' ');
  } catch {
    return line;
  }
}

/** Splits a stream of chunks into lines, calling `onLine` for each complete one. */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer | string) => void {
  let rest = '';
  return (chunk) => {
    rest += chunk.toString();
    let nl = rest.indexOf('\n');
    while (nl !== -1) {
      onLine(rest.slice(0, nl));
      rest = rest.slice(nl + 1);
      nl = rest.indexOf('\n');
    }
  };
}
