// The live dashboard: one self-contained HTML page that polls the status JSON. (Stub: filled in by
// the dashboard change.)
export function dashboardPage(): string {
  return '<!doctype html><title>Portico</title>';
}
