// One short line per event on stdout, prefixed with the instance id, e.g.
//   [app-1] listening addr=0.0.0.0:3000
// so that `docker logs` or a terminal running several instances says at once who spoke.

export type LogFields = Record<string, string | number | boolean | undefined>;
export type Log = (event: string, fields?: LogFields) => void;

export function createLog(instanceId: string, write: (line: string) => void = (l) => process.stdout.write(l)): Log {
  return (event, fields = {}) => {
    const pairs = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${formatValue(v!)}`);
    write(`[${instanceId}] ${[event, ...pairs].join(' ')}\n`);
  };
}

/** A log that drops everything: for tests that start many apps in one process. */
export const silentLog: Log = () => {};

// Values with spaces, quotes or '=' are JSON-quoted so each line stays machine-splittable.
function formatValue(v: string | number | boolean): string {
  const s = String(v);
  return /^[^\s"=]*$/.test(s) && s !== '' ? s : JSON.stringify(s);
}
