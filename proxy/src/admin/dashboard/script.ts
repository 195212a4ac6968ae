// The dashboard's script, inlined in the page and allowed by its hash in the CSP (no eval, no
// inline handlers, text set with textContent only: names come from config and API callers).
// It polls GET api/status every second with the token from the URL fragment, keeps one DOM node
// per upstream and server (updated in place, so a button does not move under the pointer), and
// draws the last minute's request rates. Plain ES2020, no template literals (this is one).
export const DASHBOARD_SCRIPT = String.raw`
(function () {
  'use strict';
  var POLL_MS = 1000;
  var WINDOW_MS = 60000;
  var TOKEN_KEY = 'portico-admin-token';
  var STATES = ['up', 'draining', 'down', 'unavailable', 'unhealthy', 'checking'];

  var token = null;
  var stopped = false;
  var timer = 0;
  var last = null;          // the previous status and when it came, for rates
  var series = {};          // "upstream\u0000server" -> [{ t, rate }], the last minute
  var views = {};           // upstream name -> its section's nodes
  var routeRows = {};

  var byId = function (id) { return document.getElementById(id); };
  var banner = byId('banner');
  var notice = byId('notice');

  function readToken() {
    var m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (m) {
      try { token = decodeURIComponent(m[1]); } catch (e) { token = m[1]; }
      try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* storage off: keep it in memory */ }
      // The token must not stay in the address bar (screenshots, history, shoulder surfing).
      window.history.replaceState(null, '', location.pathname + location.search);
    } else if (token === null) {
      try { token = sessionStorage.getItem(TOKEN_KEY); } catch (e) { token = null; }
    }
  }

  function headers(extra) {
    var h = extra || {};
    if (token) h.Authorization = 'Bearer ' + token;
    return h;
  }

  function showBanner(text, kind) {
    banner.textContent = text;
    banner.className = 'banner' + (kind ? ' ' + kind : '');
    banner.hidden = !text;
  }

  function schedule(delay) {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(poll, delay);
  }

  function poll() {
    var started = Date.now();
    var ctl = new AbortController();
    var abort = setTimeout(function () { ctl.abort(); }, 5000);
    fetch('api/status', { headers: headers(), cache: 'no-store', signal: ctl.signal })
      .then(function (res) {
        if (res.status === 401) {
          stopped = true;
          showBanner('Token required: open the dashboard URL printed by the proxy or the stack (it ends in #token=\u2026).');
          return null;
        }
        if (!res.ok) throw new Error('status ' + res.status);
        return res.json();
      })
      .then(function (status) {
        if (status === null) return;
        showBanner('');
        render(status, Date.now());
      })
      .catch(function () {
        showBanner('Disconnected from the proxy, retrying\u2026');
      })
      .finally(function () {
        clearTimeout(abort);
        schedule(Math.max(0, POLL_MS - (Date.now() - started)));
      });
  }

  // ---- rendering ----

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render(status, now) {
    byId('uptime').textContent = 'up ' + duration(status.uptimeMs);
    // A poll right after a click comes early: rates keep the previous one-second base (a few ms
    // would turn one request into a spike).
    var fresh = !last || now - last.at >= POLL_MS * 0.9;
    var names = Object.keys(status.upstreams || {});
    var seen = {};
    names.forEach(function (name) {
      seen[name] = true;
      renderUpstream(name, status.upstreams[name], now, fresh);
    });
    Object.keys(views).forEach(function (name) {
      if (!seen[name]) { views[name].section.remove(); delete views[name]; }
    });
    renderRoutes(status.routes || {});
    if (fresh) last = { status: status, at: now };
  }

  function upstreamView(name) {
    var v = views[name];
    if (v) return v;
    var section = el('section', 'upstream');
    section.dataset.upstream = name;
    var h2 = el('h2');
    h2.appendChild(document.createTextNode(name + ' '));
    var meta = el('span', 'meta');
    h2.appendChild(meta);
    section.setAttribute('aria-label', 'upstream ' + name);
    // Lines only in the SVG (stretched to the width); its labels are HTML, so text is never stretched.
    var caption = el('div', 'chart-caption');
    var peak = caption.appendChild(el('span'));
    caption.appendChild(el('span', '', 'last 60 s'));
    var chart = svg('svg', { 'class': 'chart', viewBox: '0 0 300 60', preserveAspectRatio: 'none', role: 'img' });
    chart.setAttribute('aria-label', 'requests per second to each server of ' + name + ' over the last minute');
    var table = el('table');
    var head = el('tr');
    [['Server'], ['State'], ['Weight', 'num'], ['Active', 'num'], ['Tunnels', 'num'], ['Req/s', 'num'], ['Requests', 'num'],
      ['Responses'], ['Failures', 'num'], ['p50', 'num'], ['p99', 'num'], ['Health check'], ['Action']].forEach(function (c) {
      var th = el('th', c[1], c[0]);
      th.scope = 'col';
      head.appendChild(th);
    });
    table.appendChild(el('thead')).appendChild(head);
    var tbody = table.appendChild(el('tbody'));
    section.appendChild(h2);
    section.appendChild(caption);
    section.appendChild(chart);
    section.appendChild(table);
    byId('upstreams').appendChild(section);
    v = { section: section, meta: meta, peak: peak, chart: chart, tbody: tbody, rows: {} };
    views[name] = v;
    return v;
  }

  function renderUpstream(name, upstream, now, fresh) {
    var v = upstreamView(name);
    var servers = upstream.servers || [];
    var total = 0;
    var seen = {};
    var lines = [];
    servers.forEach(function (s, i) {
      seen[s.id] = true;
      var rate = rateOf(name, s, now, fresh);
      total += rate;
      lines.push({ cls: 'c' + (i % 8), points: series[name + '\u0000' + s.id] });
      renderServer(v, name, s, rate, i);
    });
    Object.keys(v.rows).forEach(function (id) {
      if (!seen[id]) { v.rows[id].tr.remove(); delete v.rows[id]; delete series[name + '\u0000' + id]; }
    });
    v.meta.textContent = servers.length + (servers.length === 1 ? ' server' : ' servers') + ' \u00b7 ' + fixed(total) + ' req/s';
    v.peak.textContent = 'peak ' + fixed(drawChart(v.chart, lines, now)) + ' req/s';
  }

  /** Requests per second since the previous poll; the last minute is kept for the chart. */
  function rateOf(upstream, s, now, fresh) {
    var key = upstream + '\u0000' + s.id;
    var points = series[key] || (series[key] = []);
    if (!fresh && points.length) return points[points.length - 1].rate;
    var rate = 0;
    var before = last && findServer(last.status, upstream, s.id);
    if (before) {
      var dt = (now - last.at) / 1000;
      var dn = s.requests - before.requests;
      rate = dt > 0 && dn > 0 ? dn / dt : 0;   // a counter that went back (server re-added) is a restart
    }
    points.push({ t: now, rate: rate });
    while (points.length && points[0].t < now - WINDOW_MS) points.shift();
    return rate;
  }

  function findServer(status, upstream, id) {
    var u = status.upstreams && status.upstreams[upstream];
    if (!u) return null;
    for (var i = 0; i < u.servers.length; i++) if (u.servers[i].id === id) return u.servers[i];
    return null;
  }

  function serverRow(v, upstream, id) {
    var r = v.rows[id];
    if (r) return r;
    var tr = el('tr');
    tr.dataset.server = id;
    var th = tr.appendChild(el('th'));
    th.scope = 'row';
    var cells = {};
    ['state', 'weight', 'active', 'tunnels', 'rate', 'requests', 'responses', 'failures', 'p50', 'p99', 'check', 'action'].forEach(function (k) {
      cells[k] = tr.appendChild(el('td', /^(weight|active|tunnels|rate|requests|failures|p50|p99)$/.test(k) ? 'num' : ''));
      cells[k].dataset.field = k;
    });
    var swatch = el('span', 'swatch');
    var label = el('span', 'id', id);
    var addr = el('span', 'note');
    var backup = el('span', 'tag', 'backup');
    th.appendChild(swatch); th.appendChild(label); th.appendChild(addr); th.appendChild(backup);
    var badge = el('span', 'badge');
    var drained = el('span', 'note', 'no requests left');
    cells.state.appendChild(badge);
    cells.state.appendChild(drained);
    var button = el('button');
    button.type = 'button';
    button.addEventListener('click', function () { changeState(upstream, id, button); });
    cells.action.appendChild(button);
    v.tbody.appendChild(tr);
    r = { tr: tr, cells: cells, swatch: swatch, addr: addr, backup: backup, badge: badge, drained: drained, button: button };
    v.rows[id] = r;
    return r;
  }

  function renderServer(v, upstream, s, rate, index) {
    var r = serverRow(v, upstream, s.id);
    if (v.tbody.children[index] !== r.tr) v.tbody.insertBefore(r.tr, v.tbody.children[index] || null);  // config order
    var c = r.cells;
    r.swatch.className = 'swatch c' + (index % 8);
    r.addr.textContent = s.address && s.address !== s.id ? s.address : '';
    r.backup.hidden = !s.backup;
    var state = STATES.indexOf(s.state) === -1 ? 'unknown' : s.state;
    r.badge.className = 'badge state-' + state;
    r.badge.textContent = String(s.state);
    r.drained.hidden = !(s.state === 'draining' && s.drained);
    c.weight.textContent = s.effectiveWeight === s.weight ? String(s.weight) : s.effectiveWeight + '/' + s.weight;
    c.active.textContent = String(s.active);
    c.tunnels.textContent = String(s.tunnels);
    c.rate.textContent = fixed(rate);
    c.requests.textContent = String(s.requests);
    c.responses.textContent = classes(s.responses);
    c.failures.textContent = String(s.failures);
    c.p50.textContent = ms(s.latencyMs && s.latencyMs.p50);
    c.p99.textContent = ms(s.latencyMs && s.latencyMs.p99);
    renderCheck(c.check, s.lastCheck);
    var draining = s.state === 'draining';
    r.button.dataset.target = draining ? 'up' : 'draining';
    if (!r.button.dataset.busy) {
      r.button.textContent = draining ? 'Undrain' : 'Drain';
      r.button.setAttribute('aria-label', (draining ? 'Undrain ' : 'Drain ') + s.id);
      r.button.disabled = false;
    }
  }

  function renderCheck(cell, check) {
    if (!check) { cell.textContent = '\u2014'; cell.className = ''; return; }
    var ago = duration(Math.max(0, Date.now() - check.at)) + ' ago';
    cell.textContent = (check.ok ? 'ok ' + (check.status || '') : 'failed: ' + check.reason) + ' \u00b7 ' + ago;
    cell.className = check.ok ? '' : 'failed';
  }

  function renderRoutes(routes) {
    var tbody = byId('routes');
    var seen = {};
    Object.keys(routes).forEach(function (name) {
      seen[name] = true;
      var r = routeRows[name];
      if (!r) {
        var tr = el('tr');
        tr.dataset.route = name;
        var th = el('th', '', name);
        th.scope = 'row';
        tr.appendChild(th);
        r = { tr: tr, requests: tr.appendChild(el('td', 'num')), responses: tr.appendChild(el('td')) };
        r.requests.dataset.field = 'requests';
        r.responses.dataset.field = 'responses';
        routeRows[name] = r;
        tbody.appendChild(tr);
      }
      r.requests.textContent = String(routes[name].requests);
      r.responses.textContent = classes(routes[name].responses);
    });
    Object.keys(routeRows).forEach(function (name) {
      if (!seen[name]) { routeRows[name].tr.remove(); delete routeRows[name]; }
    });
    byId('routes-empty').hidden = Object.keys(routes).length > 0;
  }

  // ---- the chart: one line per server, the last minute, scaled to its busiest moment ----

  function svg(tag, attrs) {
    var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  /** Redraws the lines; returns the peak rate the chart is scaled to. */
  function drawChart(chart, lines, now) {
    var W = 300, top = 2, bottom = 59;
    var peak = 0;
    lines.forEach(function (l) { (l.points || []).forEach(function (p) { if (p.rate > peak) peak = p.rate; }); });
    var max = Math.max(peak, 1);
    while (chart.firstChild) chart.removeChild(chart.firstChild);
    chart.appendChild(svg('line', { 'class': 'axis', x1: 0, y1: bottom, x2: W, y2: bottom }));
    lines.forEach(function (l) {
      var pts = (l.points || []).map(function (p) {
        var x = W - ((now - p.t) / WINDOW_MS) * W;
        var y = bottom - (p.rate / max) * (bottom - top);
        return x.toFixed(1) + ',' + y.toFixed(1);
      });
      if (pts.length > 1) chart.appendChild(svg('polyline', { 'class': l.cls, points: pts.join(' ') }));
    });
    return peak;
  }

  // ---- actions ----

  function changeState(upstream, id, button) {
    var target = button.dataset.target;
    var verb = target === 'draining' ? 'Drain' : 'Undrain';
    button.disabled = true;
    button.dataset.busy = '1';
    notice.hidden = true;
    var url = 'api/upstreams/' + encodeURIComponent(upstream) + '/servers/' + encodeURIComponent(id);
    fetch(url, { method: 'PATCH', headers: headers({ 'Content-Type': 'application/json' }), body: JSON.stringify({ state: target }) })
      .then(function (res) {
        if (res.ok) return;
        return res.text().then(function (text) {
          var message = text;
          try { var body = JSON.parse(text); message = body.error || body.message || text; } catch (e) { /* not JSON */ }
          throw new Error(res.status === 401 ? 'token required' : res.status + ' ' + message);
        });
      })
      .catch(function (err) {
        notice.textContent = verb + ' ' + id + ' failed: ' + (err && err.message ? err.message : 'network error');
        notice.hidden = false;
      })
      .finally(function () {
        delete button.dataset.busy;
        button.disabled = false;
        if (!stopped) schedule(0);   // show the new state now, not at the next tick
      });
  }

  // ---- formatting ----

  function fixed(n) { return n >= 100 ? String(Math.round(n)) : n.toFixed(1); }
  function ms(v) { return v === null || v === undefined ? '\u2014' : (v < 10 ? v.toFixed(1) : String(Math.round(v))) + ' ms'; }
  function classes(r) {
    if (!r) return '\u2014';
    var parts = ['1xx', '2xx', '3xx', '4xx', '5xx'].filter(function (k) { return r[k] > 0; }).map(function (k) { return k + ' ' + r[k]; });
    return parts.length ? parts.join(' \u00b7 ') : '\u2014';
  }
  function duration(msValue) {
    var s = Math.floor(msValue / 1000);
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
    return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
  }

  window.addEventListener('hashchange', function () {
    readToken();
    stopped = false;
    showBanner('');
    schedule(0);
  });
  readToken();
  poll();
})();
`;
