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

  it('at the cap, waits until half the cap has left, so that the next part is more than one record', async () => {
    const limit = new InFlightLimit(4);
    for (let index = 0; index < 4; index += 1) limit.enter();
    let room: boolean | undefined;
    void limit.waitForRoom(60000).then((value) => (room = value));
    limit.leave();
    await fake.clock.tickAsync(0);
    should(room).be.undefined();
    limit.leave();
    await fake.clock.tickAsync(0);
    should(room).be.true();
    should(limit.room).equal(2);
  });

  it('a wait until idle is not ended while some records are still in flight', async () => {
    const limit = new InFlightLimit(10);
    for (let index = 0; index < 3; index += 1) limit.enter();
    let idle: boolean | undefined;
    void limit.waitUntilIdle(60000).then((value) => (idle = value));
    limit.leave();
    limit.leave();
    await fake.clock.tickAsync(0);
    should(idle).be.undefined();
    limit.leave();
    await fake.clock.tickAsync(0);
    should(idle).be.true();
  });
});
