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
    let collected = 0;
    const registry = new FinalizationRegistry(() => collected++);
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
          registry.register(conn, null);
        }
      }
      await Promise.all(done);
    }
    expect(await until(() => p.size === 0, 2000)).toBe(true);
    for (let i = 0; i < 10 && collected < total; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    // A few may still sit in a pending immediate or the last tick's closures; nearly all must go.
    expect(collected).toBeGreaterThanOrEqual(total * 0.95);
  });
});
