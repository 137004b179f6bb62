import should from 'should';
import { ControlError, parseControlMessage, parseSeekTarget } from '../../src/consumer/control-message';
import { seekPositions } from '../../src/consumer/seek-positions';
import { PartitionHold } from '../../src/consumer/partition-hold';

function problem(run: () => unknown): { key: string; params: Record<string, string | number> } {
  try {
    run();
  } catch (error) {
    should(error).be.instanceOf(ControlError);
    const { key, params } = error as ControlError;
    return { key, params };
  }
  throw new Error('expected a ControlError');
}

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

describe('control messages: msg.action and the seek target', () => {
  it('reads the four plain actions', () => {
    for (const action of ['pause', 'resume', 'stop', 'start'])
      should(parseControlMessage({ action, payload: 'ignored' })).eql({ action });
  });

  it('rejects a missing or unknown action', () => {
    should(problem(() => parseControlMessage({}))).eql({ key: 'control-missing-action', params: {} });
    should(problem(() => parseControlMessage({ action: '' })).key).equal('control-missing-action');
    should(problem(() => parseControlMessage({ action: 'Pause' }))).eql({
      key: 'control-unknown-action',
      params: { action: '"Pause"' },
    });
    should(problem(() => parseControlMessage({ action: 7 })).key).equal('control-unknown-action');
  });

  it('reads the three seek targets', () => {
    should(parseSeekTarget({ to: 'earliest' })).eql({ kind: 'earliest' });
    should(parseSeekTarget({ to: 'latest' })).eql({ kind: 'latest' });
    should(parseSeekTarget({ timestamp: '2024-06-18T05:09:00Z' })).eql({
      kind: 'timestamp',
      timestamp: Date.UTC(2024, 5, 18, 5, 9),
    });
    should(parseSeekTarget({ partition: 2, offset: 10 })).eql({
      kind: 'offset',
      topic: undefined,
      partition: 2,
      offset: 10,
    });
    should(parseSeekTarget({ partition: '1', offset: '0', topic: 'orders' })).eql({
      kind: 'offset',
      topic: 'orders',
      partition: 1,
      offset: 0,
    });
    should(parseControlMessage({ action: 'seek', payload: { to: 'latest' } })).eql({
      action: 'seek',
      target: { kind: 'latest' },
    });
  });

  it('rejects bad seek targets, naming what is wrong', () => {
    should(problem(() => parseSeekTarget(undefined)).key).equal('seek-invalid-target');
    should(problem(() => parseSeekTarget('earliest')).key).equal('seek-invalid-target');
    should(problem(() => parseSeekTarget([])).key).equal('seek-invalid-target');
    should(problem(() => parseSeekTarget({})).key).equal('seek-invalid-target');
    should(problem(() => parseSeekTarget({ to: 'earliest', partition: 1 })).key).equal('seek-invalid-target');
    should(problem(() => parseSeekTarget({ partition: 1 })).key).equal('seek-invalid-target');
    should(problem(() => parseSeekTarget({ to: 'oldest' }))).eql({
      key: 'seek-invalid-to',
      params: { value: '"oldest"' },
    });
    for (const timestamp of ['2024-13-01T00:00:00Z', '2024-06-18', 'now', 1718687340000, ''])
      should(problem(() => parseSeekTarget({ timestamp })).key).equal('seek-invalid-timestamp');
    should(problem(() => parseSeekTarget({ partition: -1, offset: 0 })).key).equal('seek-invalid-partition');
    should(problem(() => parseSeekTarget({ partition: 1.5, offset: 0 })).key).equal('seek-invalid-partition');
    should(problem(() => parseSeekTarget({ partition: 0, offset: -5 }))).eql({
      key: 'seek-invalid-offset',
      params: { value: '-5' },
    });
    should(problem(() => parseSeekTarget({ partition: 0, offset: '1e3' })).key).equal('seek-invalid-offset');
    should(problem(() => parseSeekTarget({ partition: 0, offset: 1, topic: '' })).key).equal(
      'seek-invalid-topic',
    );
  });
});

describe('seek positions: only the partitions this member owns', () => {
  // A stand-in for the two admin look-ups (the real ones are exercised against the broker).
  const admin = {
    fetchTopicOffsets: async (topic: string) =>
      [0, 1, 2].map((partition) => ({
        partition,
        offset: '50',
        low: String(partition),
        high: `${topic === 'a' ? 50 : 60}`,
      })),
    fetchTopicOffsetsByTimestamp: async () =>
      [0, 1, 2].map((partition) => ({ partition, offset: String(20 + partition) })),
  };

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
