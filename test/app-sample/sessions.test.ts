// The point of the sample app: a session (and its counter) lives in one instance's memory.
import { BoundedMemoryStore } from '../../app-sample/src/session-store';
import type { SessionData } from 'express-session';
import { cookieOf, request, startApp, type Running } from './support';

describe('session counter (/api/whoami)', () => {
  let a: Running;
  let b: Running;
  beforeAll(async () => {
    a = await startApp({ instanceId: 'inst-a', sessionSecret: 'shared secret' });
    b = await startApp({ instanceId: 'inst-b', sessionSecret: 'shared secret' });
  });
  afterAll(async () => {
    await Promise.all([a.app.close(), b.app.close()]);
  });

  it('increments with the session cookie', async () => {
    const first = await request(`${a.url}/api/whoami`);
    expect(first.status).toBe(200);
    expect(first.json()).toMatchObject({ instance: 'inst-a', counter: 1 });
    const cookie = cookieOf(first);
    expect(cookie).toMatch(/^connect\.sid=/);
    expect(first.headers['set-cookie']![0]).toMatch(/HttpOnly/i);

    const counters = [];
    for (let i = 0; i < 3; i++) {
      counters.push((await request(`${a.url}/api/whoami`, { headers: { cookie } })).json().counter);
    }
    expect(counters).toEqual([2, 3, 4]);
  });

  it('starts again at 1 without the cookie', async () => {
    const first = await request(`${a.url}/api/whoami`);
    await request(`${a.url}/api/whoami`, { headers: { cookie: cookieOf(first) } });
    const fresh = await request(`${a.url}/api/whoami`);
    expect(fresh.json().counter).toBe(1);
    expect(cookieOf(fresh)).not.toBe(cookieOf(first));
  });

  it('starts again at 1 on another instance, even with the same secret (memory is per instance)', async () => {
    const onA = await request(`${a.url}/api/whoami`);
    const cookie = cookieOf(onA);
    expect((await request(`${a.url}/api/whoami`, { headers: { cookie } })).json().counter).toBe(2);
    const onB = await request(`${b.url}/api/whoami`, { headers: { cookie } });
    expect(onB.json()).toMatchObject({ instance: 'inst-b', counter: 1 });
  });

  it('is not cacheable, and probes and assets set no cookie', async () => {
    expect((await request(`${a.url}/api/whoami`)).headers['cache-control']).toBe('no-store');
    for (const p of ['/healthz', '/readyz', '/', '/style.css']) {
      expect((await request(`${a.url}${p}`)).headers['set-cookie']).toBeUndefined();
    }
  });
});

describe('BoundedMemoryStore', () => {
  const session = (counter: number, expires?: Date) => ({ counter, cookie: { originalMaxAge: null, expires } }) as unknown as SessionData;
  const get = (store: BoundedMemoryStore, sid: string) =>
    new Promise<SessionData | null | undefined>((resolve, reject) => store.get(sid, (err, s) => (err ? reject(err) : resolve(s))));

  it('forgets the least recently used session beyond its bound', async () => {
    const store = new BoundedMemoryStore(2);
    store.set('one', session(1));
    store.set('two', session(2));
    await get(store, 'one'); // "one" is now more recent than "two"
    store.set('three', session(3));
    expect(store.size).toBe(2);
    expect(await get(store, 'two')).toBeNull();
    expect((await get(store, 'one'))?.counter).toBe(1);
    expect((await get(store, 'three'))?.counter).toBe(3);
  });

  it('drops an expired session when it is read, and destroy removes one', async () => {
    const store = new BoundedMemoryStore();
    store.set('old', session(1, new Date(Date.now() - 1000)));
    store.set('live', session(2, new Date(Date.now() + 60_000)));
    expect(await get(store, 'old')).toBeNull();
    expect(store.size).toBe(1);
    store.destroy('live');
    expect(await get(store, 'live')).toBeNull();
  });

  it('hands out copies: a change is kept only when set again', async () => {
    const store = new BoundedMemoryStore();
    store.set('s', session(1));
    const copy = (await get(store, 's'))!;
    copy.counter = 99;
    expect((await get(store, 's'))?.counter).toBe(1);
  });
});
