// The send_timeout sweep of HTTP/2 answers: pending answers are checked each tick until they say
// they are done, forgotten ones are not checked again, and the interval stops once none is pending.
import { H2SendSweeper, type PendingSend } from '../../proxy/src/downstream/h2-send-sweeper';
import { sleep } from '../helpers/servers';

/** An answer that reports done after `checksUntilDone` sweeps, counting them. */
function pendingSend(checksUntilDone: number): PendingSend & { checks: number } {
  const send = {
    checks: 0,
    sendSwept: () => ++send.checks >= checksUntilDone,
  };
  return send;
}

describe('H2SendSweeper', () => {
  it('sweeps a pending answer each tick until it is done, then no more', async () => {
    const sweeper = new H2SendSweeper();
    sweeper.setLimit(100); // ticks of 25 ms
    const send = pendingSend(3);
    sweeper.watch(send);
    for (let i = 0; i < 50 && send.checks < 3; i++) await sleep(10);
    expect(send.checks).toBe(3);
    await sleep(120);
    expect(send.checks).toBe(3);
  });

  it('never sweeps an answer forgotten before the first tick (its stream closed)', async () => {
    const sweeper = new H2SendSweeper();
    sweeper.setLimit(100);
    const forgotten = pendingSend(1);
    const kept = pendingSend(2);
    sweeper.watch(forgotten);
    sweeper.watch(kept);
    sweeper.forget(forgotten);
    for (let i = 0; i < 50 && kept.checks < 2; i++) await sleep(10);
    expect(kept.checks).toBe(2);
    expect(forgotten.checks).toBe(0);
  });

  it('stops its interval once nothing is pending, and starts again for the next answer', async () => {
    const sweeper = new H2SendSweeper();
    sweeper.setLimit(100);
    sweeper.watch(pendingSend(1));
    await sleep(120);
    expect((sweeper as unknown as { timer: unknown }).timer).toBeNull();
    const next = pendingSend(1);
    sweeper.watch(next);
    for (let i = 0; i < 50 && next.checks < 1; i++) await sleep(10);
    expect(next.checks).toBe(1);
  });
});
