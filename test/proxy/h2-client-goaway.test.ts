// A client that ends its HTTP/2 session (h2load does so when its run is over: GOAWAY, then the
// connection closed): a GOAWAY alone lets the streams in flight finish and the session close after
// them; a GOAWAY and the client's end of the connection (or its end alone) cut the streams in
// flight and their upstream requests at once, so no session outlives its client.
import { simpleConfig, sleep, startBackend } from '../helpers/servers';
import { FLAG, FRAME, frame, literalHeaders, rawH2 } from '../helpers/raw-h2';
import { certDir, filesOf, makeCertificate } from '../helpers/tls-certs';
import { startTlsProxy } from '../helpers/tls-clients';

jest.setTimeout(10_000);

const UPSTREAM_DELAY = 1500;
const get = literalHeaders([[':method', 'GET'], [':scheme', 'https'], [':path', '/slow'], [':authority', 'localhost']]);
const GOAWAY_NO_ERROR = frame(FRAME.GOAWAY, 0, 0, Buffer.alloc(8));

/** A proxy before an upstream that answers after UPSTREAM_DELAY; `outcome` says how each upstream request ended. */
async function slowProxy() {
  const outcome: string[] = [];
  const backend = await startBackend((_q, res) => {
    const timer = setTimeout(() => res.end('late'), UPSTREAM_DELAY);
    res.on('close', () => {
      clearTimeout(timer);
      outcome.push(res.writableFinished ? 'answered' : 'aborted');
    });
  });
  const cert = makeCertificate(certDir(), 'c', ['localhost']);
  const { port } = await startTlsProxy(simpleConfig([backend.address]), { certificates: [filesOf(cert)] });
  const client = await rawH2(port);
  client.socket.write(frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, 1, get));
  for (let i = 0; i < 100 && backend.requests.length === 0; i++) await sleep(10);
  expect(backend.requests).toHaveLength(1);
  return { client, outcome };
}

describe('HTTP/2 sessions the client ends', () => {
  it('finishes the streams in flight after a GOAWAY, then closes the session', async () => {
    const { client, outcome } = await slowProxy();
    client.socket.write(GOAWAY_NO_ERROR);
    await client.closed;
    expect(outcome).toEqual(['answered']);
    const data = client.frames.find((f) => f.type === FRAME.DATA && f.stream === 1 && (f.flags & FLAG.END_STREAM) !== 0);
    expect(data?.payload.toString()).toBe('late');
  });

  it.each([
    ['a GOAWAY and the end of its connection', true],
    ['the end of its connection alone', false],
  ])('cuts the streams in flight and their upstream requests at once after %s', async (_name, withGoaway) => {
    const { client, outcome } = await slowProxy();
    const started = Date.now();
    if (withGoaway) client.socket.write(GOAWAY_NO_ERROR);
    client.socket.end();
    await client.closed;
    for (let i = 0; i < 100 && outcome.length === 0; i++) await sleep(10);
    expect(outcome).toEqual(['aborted']);
    expect(Date.now() - started).toBeLessThan(UPSTREAM_DELAY - 300);
  });
});
