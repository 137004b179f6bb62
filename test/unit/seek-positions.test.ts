import should from 'should';
import { ControlError } from '../../src/consumer/control-message';
import { seekPositions } from '../../src/consumer/seek-positions';
import { FakeSeekAdmin } from '../support/fake-kafka';

async function rejection(
  run: () => Promise<unknown>,
): Promise<{ key: string; params: Record<string, string | number> }> {
  try {
    await run();
  } catch (error) {
    should(error).be.instanceOf(ControlError);
    const { key, params } = error as ControlError;
    return { key, params };
  }
  throw new Error('expected a ControlError');
}

describe('seek positions: only the partitions this member owns', () => {
  // A stand-in for the two admin look-ups (the real ones are exercised against the broker).
  const admin = new FakeSeekAdmin({ a: 50, b: 60 });

  it('moves the owned partitions to the start, the end or a time', async () => {
    const owned = { a: [0, 2] };
    should(await seekPositions(admin, { kind: 'earliest' }, owned, ['a'])).eql([
      { topic: 'a', partition: 0, offset: '0' },
      { topic: 'a', partition: 2, offset: '2' },
    ]);
    should(await seekPositions(admin, { kind: 'latest' }, owned, ['a'])).eql([
      { topic: 'a', partition: 0, offset: '50' },
      { topic: 'a', partition: 2, offset: '50' },
    ]);
    should(
      await seekPositions(admin, { kind: 'timestamp', timestamp: 1 }, { a: [1], b: [0] }, ['a', 'b']),
    ).eql([
      { topic: 'a', partition: 1, offset: '21' },
      { topic: 'b', partition: 0, offset: '20' },
    ]);
  });

  it('moves one owned partition to an offset inside it', async () => {
    should(
      await seekPositions(admin, { kind: 'offset', topic: undefined, partition: 2, offset: 50 }, { a: [2] }, [
        'a',
      ]),
    ).eql([{ topic: 'a', partition: 2, offset: '50' }]);
  });

  it('refuses a partition of another member, an offset outside the partition, or no topic among several', async () => {
    should(
      await rejection(() =>
        seekPositions(admin, { kind: 'offset', topic: undefined, partition: 1, offset: 3 }, { a: [0, 2] }, [
          'a',
        ]),
      ),
    ).eql({ key: 'seek-not-owned', params: { topic: 'a', partition: 1, owned: 'a [0, 2]' } });
    should(
      await rejection(() =>
        seekPositions(admin, { kind: 'offset', topic: undefined, partition: 0, offset: 51 }, { a: [0] }, [
          'a',
        ]),
      ),
    ).eql({
      key: 'seek-offset-out-of-range',
      params: { topic: 'a', partition: 0, offset: 51, low: 0, high: 50 },
    });
    should(
      (
        await rejection(() =>
          seekPositions(
            admin,
            { kind: 'offset', topic: undefined, partition: 0, offset: 1 },
            { a: [0], b: [0] },
            ['a', 'b'],
          ),
        )
      ).key,
    ).equal('seek-topic-required');
    should(
      await seekPositions(
        admin,
        { kind: 'offset', topic: 'b', partition: 0, offset: 1 },
        { a: [0], b: [0] },
        ['a', 'b'],
      ),
    ).eql([{ topic: 'b', partition: 0, offset: '1' }]);
  });
});
