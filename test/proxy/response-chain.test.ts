// The response handler chain on a real HTTP/1.1 downstream: a link can see and keep what passes,
// and a chunk it adopted is never recycled into another response.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { H1Downstream } from '../../proxy/src/downstream/h1-downstream';
import { ClientWriter } from '../../proxy/src/forward/client-writer';
import { ResponseHandlerWrapper, type ResponseHandler } from '../../proxy/src/forward/response-handler';
import { adoptBodyBuffer, takeBodyBuffer } from '../../proxy/src/upstream/h1/body-buffers';
import { registerCleanup, request } from '../helpers/servers';

/** A link that keeps every body chunk (as a cache would), adopting it when asked to. */
class Keeper extends ResponseHandlerWrapper {
  readonly kept: Buffer[] = [];

  constructor(next: ResponseHandler, private readonly adopt: boolean) {
    super(next);
  }

  onData(chunk: Buffer): boolean {
    if (this.adopt) adoptBodyBuffer(chunk);
    this.kept.push(chunk);
    return this.next.onData(chunk);
  }
}

/** A server whose every response goes through Keeper -> ClientWriter with a pooled body of `fill`. */
async function chainServer(adopt: boolean) {
  const keepers: Keeper[] = [];
  /** Per response: its body was flushed (and, unless adopted, its memory given back). */
  const flushed: Promise<void>[] = [];
  let fill = 0x61;
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const ds = new H1Downstream(req, res, 'http', 'x', '127.0.0.1');
    const keeper = new Keeper(new ClientWriter(ds, 1_000), adopt);
    keepers.push(keeper);
    const body = takeBodyBuffer(60_000).fill(fill++);
    keeper.onHeaders(200, ['content-length', '60000'], () => undefined);
    keeper.onData(body);
    keeper.onComplete();
    // Registered after the writer's own flush callback, so it runs once the memory is back.
    flushed.push(new Promise((resolve) => res.once('finish', () => resolve())));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  registerCleanup(() => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, keepers, flushed };
}

describe('response chain', () => {
  it('passes what a link sees on to the client unchanged', async () => {
    const { url, keepers } = await chainServer(true);
    const reply = await request(url);
    expect(reply.body.equals(keepers[0].kept[0])).toBe(true);
  });

  it('never recycles a chunk a link adopted into a later response', async () => {
    const { url, keepers, flushed } = await chainServer(true);
    await request(url);
    await flushed[0];
    await request(url);
    expect(keepers[0].kept[0].every((b) => b === 0x61)).toBe(true);
  });

  it('recycles chunks nobody adopted (what adoption protects against)', async () => {
    const { url, keepers, flushed } = await chainServer(false);
    await request(url);
    await flushed[0];
    await request(url);
    // The first response's memory served the second: a link that kept it without adopting sees it change.
    expect(keepers[0].kept[0].every((b) => b === 0x61)).toBe(false);
  });
});
