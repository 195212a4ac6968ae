// The client writer's hold on the upstream connection's resume function ends with its response:
// the connection may already carry the next request when the client's buffer drains.
import type { Downstream, DownstreamDrainListener } from '../../proxy/src/downstream/downstream';
import { ClientWriter } from '../../proxy/src/forward/client-writer';
import { ProxyError } from '../../proxy/src/forward/proxy-errors';

/** A downstream whose buffer is always full, recording what reaches it. */
function fullDownstream() {
  const drains: DownstreamDrainListener[] = [];
  const ds = {
    headersSent: false,
    writeHead() {
      ds.headersSent = true;
    },
    write: () => false,
    cork() {},
    end() {},
    awaitDrain: (l: DownstreamDrainListener) => drains.push(l),
    fail() {},
    abort() {},
    reset() {},
  };
  return { ds: ds as unknown as Downstream, drains };
}

describe('client writer', () => {
  it('resumes the upstream when the client drains during the response', () => {
    const { ds, drains } = fullDownstream();
    const writer = new ClientWriter(ds, 0);
    let resumed = 0;
    writer.onHeaders(200, [], () => resumed++);
    expect(writer.onData(Buffer.from('x'))).toBe(false);
    drains[0].downstreamDrained();
    expect(resumed).toBe(1);
  });

  it.each([
    ['completed', (w: ClientWriter) => w.onComplete()],
    ['failed', (w: ClientWriter) => w.onError(new ProxyError('UPSTREAM_RESET', 'x'))],
    ['lost its client', (w: ClientWriter) => w.clientGone()],
  ])('never resumes the upstream connection once its response %s', (_what, end) => {
    const { ds, drains } = fullDownstream();
    const writer = new ClientWriter(ds, 0);
    let resumed = 0;
    writer.onHeaders(200, [], () => resumed++);
    writer.onData(Buffer.from('x'));
    end(writer);
    drains[0].downstreamDrained();
    expect(resumed).toBe(0);
  });
});
