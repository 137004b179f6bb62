// The stop signal that deliveries race their waits against: a settled race leaves nothing behind,
// since a delivery races once per record for as long as it runs.
import should from 'should';
import { StopSignal } from '../../src/consumer/stop-signal';

describe('stop signal', () => {
  it('answers what the wait answers, and keeps nothing of a settled race', async () => {
    const signal = new StopSignal();
    for (let record = 0; record < 1000; record += 1)
      should(await signal.race(Promise.resolve(true))).be.true();
    should(await signal.race(Promise.resolve(false))).be.false();
    should(signal.pending).equal(0);
  });

  it('passes a failed wait on, and keeps nothing of it', async () => {
    const signal = new StopSignal();
    await should(signal.race(Promise.reject(new Error('wait failed')))).be.rejectedWith('wait failed');
    should(signal.pending).equal(0);
  });

  it('ends a wait that has not settled with false on stop, and every later race at once', async () => {
    const signal = new StopSignal();
    const never = new Promise<boolean>(() => undefined);
    const racing = signal.race(never);
    should(signal.pending).equal(1);
    signal.stop();
    should(await racing).be.false();
    should(signal.pending).equal(0);
    should(await signal.race(never)).be.false();
  });
});
