import should from 'should';
import { PartitionHold } from '../../src/consumer/partition-hold';

describe('partition hold', () => {
  it('holds all partitions while paused, and single ones with a new epoch each time', () => {
    const hold = new PartitionHold();
    should(hold.isHeld('a', 0)).be.false();
    hold.holdAll(true);
    should(hold.isHeld('a', 0)).be.true();
    hold.holdAll(false);
    hold.hold('a', 1);
    should(hold.isHeld('a', 1)).be.true();
    should(hold.isHeld('a', 0)).be.false();
    should(hold.epoch('a', 1)).equal(1);
    hold.hold('a', 1);
    hold.release('a', 1);
    should(hold.isHeld('a', 1)).be.true();
    hold.release('a', 1);
    should(hold.isHeld('a', 1)).be.false();
    should(hold.epoch('a', 1)).equal(2);
  });
});
