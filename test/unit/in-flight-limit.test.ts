import should from 'should';
import { InFlightLimit } from '../../src/delivery/in-flight-limit';
import { useFakeClock } from '../support/fake-clock';

describe('in-flight limit', () => {
  const fake = useFakeClock();

  it('has room below the cap and waits at it until a record leaves', async () => {
    const limit = new InFlightLimit(2);
    limit.enter();
    should(await limit.waitForRoom(10)).be.true();
    limit.enter();
    let full: boolean | undefined;
    void limit.waitForRoom(10).then((room) => (full = !room));
    await fake.clock.tickAsync(9);
    should(full).be.undefined();
    await fake.clock.tickAsync(1);
    should(full).be.true();
    const waiting = limit.waitForRoom(5000);
    limit.leave();
    should(await waiting).be.true();
    should(limit.size).equal(1);
  });

  it('tells when nothing is in flight', async () => {
    const limit = new InFlightLimit(5);
    limit.enter();
    const idle = limit.waitUntilIdle(5000);
    limit.leave();
    should(await idle).be.true();
    // Idle already: true at once, without waiting out its time.
    should(await new InFlightLimit(1).waitUntilIdle(60000)).be.true();
  });
});
