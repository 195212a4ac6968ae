// Upstream connections must be garbage once closed: the native parser holds its callbacks (and
// through them the connection and its socket) until it is closed.
import http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startBackend } from '../helpers/servers';
import { get, pool, Recorder, until } from './upstream-client-servers';

jest.setTimeout(30_000);

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

describe('upstream client: memory', () => {
  it('lets every closed connection be collected (an upstream answering Connection: close to 2,000 requests)', async () => {
    const backend = await startBackend((_q, res: http.ServerResponse) => {
      res.setHeader('connection', 'close');
      res.end('x');
    });
    const p = pool('127.0.0.1', backend.port);
    const all = (p as unknown as { all: Set<object> }).all;
    // WeakRefs, not a FinalizationRegistry: a registry no longer used is garbage itself, and the
    // V8 of Node 24 and 26 does not keep a suspended async function's dead locals, so it went with
    // the connections and no callback ran (0 counted). The GC clears a WeakRef, and `refs` is read
    // after the collections.
    const refs: WeakRef<object>[] = [];
    const seen = new WeakSet<object>();
    const total = 2000;
    for (let batch = 0; batch < total / 50; batch++) {
      const done: Promise<unknown>[] = [];
      for (let i = 0; i < 50; i++) {
        const recorder = new Recorder();
        p.dispatch(get(), recorder);
        done.push(recorder.done.then((o) => expect([o.kind, o.body.toString()]).toEqual(['complete', 'x'])));
      }
      for (const conn of all) {
        if (!seen.has(conn)) {
          seen.add(conn);
          refs.push(new WeakRef(conn));
        }
      }
      await Promise.all(done);
    }
    expect(await until(() => p.size === 0, 2000)).toBe(true);
    // Counted only after the collections: deref() keeps a live target alive until the job ends.
    for (let i = 0; i < 10; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    const collected = refs.filter((ref) => ref.deref() === undefined).length;
    expect(refs.length).toBeGreaterThanOrEqual(total);
    // A few may still sit in a pending immediate or the last tick's closures; nearly all must go.
    expect(collected).toBeGreaterThanOrEqual(total * 0.95);
  });
});
