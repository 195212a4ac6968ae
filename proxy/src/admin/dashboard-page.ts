// The live dashboard: one self-contained HTML page (inline CSS and JS, no external URL) that polls
// the status JSON. It works under a strict CSP: the admin listener allows its one inline <script>
// and one <style> by their SHA-256 (page-security.ts); no eval, no inline handlers, no style attributes.
import { DASHBOARD_SCRIPT } from './dashboard/script';
import { DASHBOARD_STYLE } from './dashboard/style';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Portico dashboard</title>
<link rel="icon" href="data:,">
<style>${DASHBOARD_STYLE}</style>
</head>
<body>
<header><h1>Portico</h1><span class="meta" id="uptime"></span></header>
<div id="banner" class="banner" role="status" aria-live="polite" hidden></div>
<div id="notice" class="banner info" role="alert" hidden></div>
<main>
<div id="upstreams"></div>
<section aria-labelledby="routes-title">
<h2 id="routes-title">Routes</h2>
<table>
<thead><tr><th scope="col">Route</th><th scope="col" class="num">Requests</th><th scope="col">Responses</th></tr></thead>
<tbody id="routes"></tbody>
</table>
<p id="routes-empty" class="note">No routes yet.</p>
</section>
</main>
<script>${DASHBOARD_SCRIPT}</script>
</body>
</html>
`;

/** The dashboard's HTML (served at GET / of the admin listener). */
export function dashboardPage(): string {
  return PAGE;
}
