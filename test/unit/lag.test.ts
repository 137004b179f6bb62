import should from 'should';
import { committedOffset, partitionLag, totalLag } from '../../src/admin/lag';

describe('lag', () => {
  it('is the end offset less the committed offset', () => {
    should(partitionLag(0, 10)).equal(10);
    should(partitionLag(7, 10)).equal(3);
    should(partitionLag(10, 10)).equal(0);
  });

  it('is unknown without a commit or an end, and never below 0', () => {
    should(partitionLag(null, 10)).be.null();
    should(partitionLag(-1, 10)).be.null();
    should(partitionLag(5, null)).be.null();
    should(partitionLag(12, 10)).equal(0);
  });

  it('sums the known lags', () => {
    should(totalLag([3, null, 4, 0])).equal(7);
    should(totalLag([])).equal(0);
  });

  it("reads Kafka's committed offsets: -1 is none", () => {
    should(committedOffset('42')).equal(42);
    should(committedOffset('-1')).be.null();
    should(committedOffset(0)).equal(0);
  });
});
