// The dashboard's stylesheet (inlined in the page; allowed by its hash in the CSP). Light and dark
// follow the system; state colours: up green, draining amber, down grey, out of service red,
// checking blue.
export const DASHBOARD_STYLE = `
:root { color-scheme: light dark; --bg: #f7f7f8; --fg: #1d1d1f; --muted: #6b6b73; --card: #fff; --line: #dcdce0;
  --up: #1f8a3b; --draining: #b7791f; --down: #71717a; --bad: #c5282f; --checking: #2563eb; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #151517; --fg: #e8e8ea; --muted: #9d9da6; --card: #1e1e21; --line: #34343a;
    --up: #3fb763; --draining: #e0a43a; --down: #8b8b94; --bad: #f0626a; --checking: #6b9bff; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--fg); }
header { display: flex; align-items: baseline; gap: 1rem; padding: .75rem 1rem; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.1rem; margin: 0; }
h2 { font-size: 1rem; margin: 0 0 .5rem; }
h2 .meta, header .meta { font-weight: normal; color: var(--muted); font-size: .85rem; }
main { padding: 1rem; display: grid; gap: 1rem; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .75rem; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { font-weight: 600; color: var(--muted); font-size: .8rem; }
td.num, th.num { text-align: right; }
tbody tr:last-child > * { border-bottom: 0; }
.badge { display: inline-block; min-width: 5.5em; text-align: center; padding: .05rem .45rem; border-radius: 999px; color: #fff; font-size: .8rem; font-weight: 600; }
.state-up { background: var(--up); }
.state-draining { background: var(--draining); }
.state-down { background: var(--down); }
.state-unavailable, .state-unhealthy { background: var(--bad); }
.state-checking { background: var(--checking); }
.note { color: var(--muted); font-size: .8rem; margin-left: .4rem; }
.tag { border: 1px solid var(--line); border-radius: 4px; padding: 0 .3rem; margin-left: .4rem; font-size: .75rem; color: var(--muted); }
.failed { color: var(--bad); }
.swatch { display: inline-block; width: .7rem; height: .7rem; border-radius: 2px; margin-right: .4rem; vertical-align: -1px; }
button { font: inherit; font-size: .8rem; padding: .15rem .6rem; border-radius: 4px; border: 1px solid var(--line); background: var(--bg); color: var(--fg); cursor: pointer; }
button:hover:not(:disabled) { border-color: var(--muted); }
button:disabled { opacity: .5; cursor: default; }
button:focus-visible { outline: 2px solid var(--checking); outline-offset: 1px; }
.banner { margin: 1rem 1rem 0; padding: .6rem .8rem; border-radius: 6px; border: 1px solid var(--bad); color: var(--bad); background: var(--card); font-weight: 600; }
.banner.info { border-color: var(--draining); color: var(--draining); }
.chart-caption { display: flex; justify-content: space-between; max-width: 640px; color: var(--muted); font-size: .75rem; }
.chart { display: block; width: 100%; max-width: 640px; height: 60px; margin-bottom: .5rem; }
.chart .axis { stroke: var(--line); stroke-width: 1; vector-effect: non-scaling-stroke; }
.chart polyline { fill: none; stroke-width: 1.5; vector-effect: non-scaling-stroke; }
.c0 { stroke: #3b82f6; background: #3b82f6; } .c1 { stroke: #10b981; background: #10b981; } .c2 { stroke: #f59e0b; background: #f59e0b; }
.c3 { stroke: #ef4444; background: #ef4444; } .c4 { stroke: #8b5cf6; background: #8b5cf6; } .c5 { stroke: #06b6d4; background: #06b6d4; }
.c6 { stroke: #ec4899; background: #ec4899; } .c7 { stroke: #84cc16; background: #84cc16; }
[hidden] { display: none !important; }
`;
