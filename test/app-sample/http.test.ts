// HTTP surface of the sample app: X-Instance everywhere, static files, probes, the demo endpoints.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PUBLIC_DIR, request, startApp, type Running } from './support';

describe('sample app over HTTP', () => {
  let s: Running;
  beforeAll(async () => {
    s = await startApp({ instanceId: 'web-7' });
  });
  afterAll(() => s.app.close());

  it.each([
    ['/api/whoami', 200],
    ['/', 200],
    ['/app.js', 200],
    ['/no/such/page', 404],
    ['/api/nothing', 404],
    ['/api/slow?ms=oops', 400],
    ['/healthz', 200],
    ['/readyz', 200],
    ['/socket.io/socket.io.js', 200],
    ['/socket.io/?EIO=4&transport=polling', 200],
    ['/socket.io/?EIO=4&transport=bogus', 400],
  ])('GET %s answers %i with X-Instance', async (p, status) => {
    const reply = await request(`${s.url}${p}`);
    expect(reply.status).toBe(status);
    expect(reply.headers['x-instance']).toBe('web-7');
  });

  it('answers HEAD and other methods with X-Instance too', async () => {
    expect((await request(`${s.url}/style.css`, { method: 'HEAD' })).headers['x-instance']).toBe('web-7');
    const post = await request(`${s.url}/api/whoami`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect(post.headers['x-instance']).toBe('web-7');
  });

  it.each([
    ['/', /^text\/html; charset=utf-8$/i, 'index.html'],
    ['/index.html', /^text\/html; charset=utf-8$/i, 'index.html'],
    ['/app.js', /^(text|application)\/javascript; charset=utf-8$/i, 'app.js'],
    ['/style.css', /^text\/css; charset=utf-8$/i, 'style.css'],
    ['/logo.svg', /^image\/svg\+xml/, 'logo.svg'],
  ])('serves %s as %s from public/', async (p, type, file) => {
    const reply = await request(`${s.url}${p}`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(type);
    expect(reply.body).toBe(readFileSync(path.join(PUBLIC_DIR, file), 'utf8'));
    expect(reply.headers.etag).toBeTruthy();
    expect(reply.headers['cache-control']).toBe(file.endsWith('.html') ? 'no-cache' : 'public, max-age=300');
  });

  it('revalidates static files by ETag (304)', async () => {
    const first = await request(`${s.url}/style.css`);
    const again = await request(`${s.url}/style.css`, { headers: { 'if-none-match': first.headers.etag! } });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });

  it('the page loads the Socket.IO client from this app, and that client is served', async () => {
    const page = await request(`${s.url}/`);
    expect(page.body).toContain('<script src="/socket.io/socket.io.js"></script>');
    expect(page.body).toMatch(/same instance/);
    const client = await request(`${s.url}/socket.io/socket.io.js`);
    expect(client.headers['content-type']).toMatch(/javascript/);
    expect(client.body).toMatch(/Socket\.IO v4\./);
    expect((await request(`${s.url}/socket.io/socket.io.min.js`)).status).toBe(200);
    const cached = await request(`${s.url}/socket.io/socket.io.js`, { headers: { 'if-none-match': client.headers.etag! } });
    expect(cached.status).toBe(304);
  });

  it('answers 404 as JSON for an unknown path', async () => {
    const reply = await request(`${s.url}/missing.png`);
    expect(reply.status).toBe(404);
    expect(reply.json()).toEqual({ error: 'not found', path: '/missing.png' });
  });

  it('/api/slow answers after the delay asked for, and refuses silly delays', async () => {
    const t0 = Date.now();
    const reply = await request(`${s.url}/api/slow?ms=200`);
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ instance: 'web-7', sleptMs: 200 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    for (const ms of ['-1', '1.5', '30001', 'x']) expect((await request(`${s.url}/api/slow?ms=${ms}`)).status).toBe(400);
  });
});

describe('probes', () => {
  it('/readyz is 503 while starting, 200 when ready, 503 while stopping; /healthz is 200 throughout', async () => {
    const s = await startApp({ startupDelayMs: 300 });
    const starting = await request(`${s.url}/readyz`);
    expect(starting.status).toBe(503);
    expect(starting.json()).toMatchObject({ ready: false, state: 'starting' });
    expect(starting.headers['cache-control']).toBe('no-store');
    expect((await request(`${s.url}/healthz`)).status).toBe(200);

    await new Promise((r) => setTimeout(r, 400));
    const ready = await request(`${s.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.json()).toMatchObject({ ready: true, state: 'ready', instance: 'test-1' });

    // during the shutdown delay the app still serves, but is not ready
    const closed = s.app.close({ delayMs: 300 });
    const stopping = await request(`${s.url}/readyz`);
    expect(stopping.status).toBe(503);
    expect(stopping.json()).toMatchObject({ ready: false, state: 'stopping' });
    expect((await request(`${s.url}/healthz`)).status).toBe(200);
    await closed;
  });

  it('a warm-up that ends after close() began does not make the app ready again', async () => {
    const s = await startApp({ startupDelayMs: 100 });
    const closed = s.app.close({ delayMs: 250 });
    await new Promise((r) => setTimeout(r, 150));
    expect((await request(`${s.url}/readyz`)).json()).toMatchObject({ state: 'stopping' });
    await closed;
    expect(s.app.state).toBe('stopping');
  });
});
