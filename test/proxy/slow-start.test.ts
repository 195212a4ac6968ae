// Slow start (NGINX Plus `slow_start`): a server back from unhealthy or unavailable gets its weight
// back linearly over the set time; real upstreams on 127.0.0.1, measured by who answers requests.
import { resolveConfig } from '../../proxy/src/config/load';
import type { ProxyConfig } from '../../proxy/src/config/schema';
import type { PorticoProxy } from '../../proxy/src/proxy';
import { SlowStart } from '../../proxy/src/upstream/slow-start';
import { recordOf, startCheckedApp, waitForState } from '../helpers/health';
import { request, simpleConfig, sleep, startProxy } from '../helpers/servers';

async function reload(proxy: PorticoProxy, config: Omit<ProxyConfig, 'listeners'>) {
  await proxy.reload(resolveConfig({ listeners: [{ port: proxy.addresses()[0].port, host: '127.0.0.1' }], log: { level: 'silent' }, ...config }, 'test'));
}

/** The share of `name` among the answers whose time (ms after the recovery) is in [from, to). */
function share(answers: [at: number, body: string][], name: string, from: number, to: number): { share: number; n: number } {
  const inWindow = answers.filter(([at]) => at >= from && at < to);
  return { share: inWindow.filter(([, body]) => body === name).length / inWindow.length, n: inWindow.length };
}

describe('slow start ramp', () => {
  it('starts a ramp at one step of the weight and ends at the nominal weight', () => {
    const weights = { weight: 10, effectiveWeight: 10 };
    const ramp = new SlowStart(weights);
    ramp.start(1_000, Date.now());
    expect(ramp.ramping).toBe(true);
    expect(weights.effectiveWeight).toBeCloseTo(0.5); // a 50 ms step of 1 s
    ramp.stop();
    expect(ramp.ramping).toBe(false);
    expect(weights.effectiveWeight).toBe(10);
    ramp.start(5); // shorter than a step: nothing to ramp
    expect(ramp.ramping).toBe(false);
    expect(weights.effectiveWeight).toBe(10);
  });

  it.each(['round-robin', 'least-conn'] as const)('gives a recovered server a growing share of requests under %s, then its nominal share', async (balance) => {
    // Long enough that each window gets its 15 requests on a loaded machine or a slower Node.
    const SLOW = 1200;
    const a = await startCheckedApp('a', { status: 500 });
    const b = await startCheckedApp('b');
    const { proxy, url } = await startProxy(
      simpleConfig([a.address, b.address], { balance, slowStart: `${SLOW}ms`, healthCheck: { uri: '/health', interval: '10ms' } }),
    );
    await waitForState(proxy, a.address, 'unhealthy', 300);
    a.health.status = 200;
    await waitForState(proxy, a.address, 'up', 300);
    const recovered = Date.now();
    const record = recordOf(proxy, a.address);
    const weights: number[] = [record.effectiveWeight];
    const answers: [number, string][] = [];
    while (Date.now() - recovered < SLOW + 450) {
      answers.push([Date.now() - recovered, (await request(url)).body.toString()]);
      weights.push(record.effectiveWeight);
    }
    const early = share(answers, 'a', 0, 400);
    const late = share(answers, 'a', 800, SLOW);
    const after = share(answers, 'a', SLOW + 50, SLOW + 450);
    for (const window of [early, late, after]) expect(window.n).toBeGreaterThanOrEqual(15);
    expect(early.share).toBeLessThan(0.3);
    expect(late.share).toBeGreaterThan(early.share + 0.1);
    expect(after.share).toBeGreaterThanOrEqual(0.4);
    expect(after.share).toBeLessThanOrEqual(0.6);
    // The weight only grows, from near 0, and is the nominal one once the ramp is over.
    expect(weights[0]).toBeLessThan(0.1);
    expect(weights.every((w, i) => i === 0 || w >= weights[i - 1])).toBe(true);
    expect(record.effectiveWeight).toBe(1);
  });

  it('ramps a server back from a passive "unavailable" too', async () => {
    let resets = 1;
    const a = await startCheckedApp('a');
    a.server.prependListener('request', (req) => {
      if (resets-- > 0) req.socket.destroy();
    });
    const b = await startCheckedApp('b');
    const { proxy, url } = await startProxy(simpleConfig([a.address, b.address], { slowStart: '10s', failTimeout: '20ms' }));
    while (resets > 0) await request(url);
    const record = recordOf(proxy, a.address);
    expect(record.state).toBe('unavailable');
    await sleep(30);
    await request(url); // the next pick after fail_timeout brings it back
    expect(record.state).toBe('up');
    expect(record.effectiveWeight).toBeGreaterThan(0);
    expect(record.effectiveWeight).toBeLessThan(0.1);
  });

  it('does not ramp at the first start of a mandatory check, but does after failed checks', async () => {
    const first = await startCheckedApp('first');
    const late = await startCheckedApp('late', { status: 500 });
    const { proxy } = await startProxy(
      simpleConfig([first.address, late.address], { slowStart: '10s', healthCheck: { uri: '/health', interval: '10ms', fails: 100, mandatory: true } }),
    );
    await waitForState(proxy, first.address, 'up', 300);
    expect(recordOf(proxy, first.address).effectiveWeight).toBe(1);
    await sleep(30); // a few failed checks, still 'checking' (fails: 100)
    expect(recordOf(proxy, late.address).state).toBe('checking');
    late.health.status = 200;
    await waitForState(proxy, late.address, 'up', 300);
    expect(recordOf(proxy, late.address).effectiveWeight).toBeLessThan(0.1);
  });

  it('still sends traffic to a ramping server when it is the only candidate', async () => {
    const only = await startCheckedApp('only', { status: 500 });
    const { proxy, url } = await startProxy(simpleConfig([only.address], { slowStart: '10s', healthCheck: { uri: '/health', interval: '10ms' } }));
    await waitForState(proxy, only.address, 'unhealthy', 300);
    only.health.status = 200;
    await waitForState(proxy, only.address, 'up', 300);
    expect(recordOf(proxy, only.address).effectiveWeight).toBeLessThan(0.1);
    for (let i = 0; i < 3; i++) expect((await request(url)).body.toString()).toBe('only');
  });

  it('ramps towards a weight a reload changed mid-ramp, and ends the ramp on close', async () => {
    const a = await startCheckedApp('a', { status: 500 });
    const b = await startCheckedApp('b');
    const config = (weight: number) =>
      simpleConfig([{ address: a.address, weight }, b.address], { slowStart: '10s', healthCheck: { uri: '/health', interval: '10ms' } });
    const { proxy } = await startProxy(config(4));
    await waitForState(proxy, a.address, 'unhealthy', 300);
    a.health.status = 200;
    await waitForState(proxy, a.address, 'up', 300);
    const record = recordOf(proxy, a.address);
    expect(record.effectiveWeight).toBeLessThan(4 * 0.1);
    await reload(proxy, config(8));
    expect(record.weight).toBe(8);
    expect(record.effectiveWeight).toBeLessThan(4 * 0.1); // still ramping, not reset to nominal
    await sleep(1_100); // one 500 ms step at least: the ramp now aims at 8
    expect(record.effectiveWeight).toBeGreaterThan(4 * 0.1);
    expect(record.effectiveWeight).toBeLessThan(8);
    await proxy.close(0);
    expect(record.effectiveWeight).toBe(8);
  });
});
