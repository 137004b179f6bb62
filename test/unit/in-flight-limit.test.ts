import should from 'should';
import { InFlightLimit } from '../../src/delivery/in-flight-limit';

describe('in-flight limit', () => {
  it('has room below the cap and waits at it until a record leaves', async () => {
    const limit = new InFlightLimit(2);
    limit.enter();
    should(await limit.waitForRoom(10)).be.true();
    limit.enter();
    should(await limit.waitForRoom(10)).be.false();
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
    should(await new InFlightLimit(1).waitUntilIdle(1)).be.true();
  });
});
