// seek() against the fake consumer and admin client: the member's partitions are held while their
// records in the flow settle, then moved and released; a pause outlives the seek; a busy partition,
// a replaced session or a failed look-up moves nothing.
import should from 'should';
import type { Admin, Consumer } from 'kafkajs';
import type { BatchDelivery } from '../../src/delivery/delivery';
import type { Session } from '../../src/consumer/lifecycle';
import { PartitionControl } from '../../src/consumer/partition-control';
import { seek, type SeekContext } from '../../src/consumer/seek';
import { FakeAdmin, FakeConsumer } from '../support/fake-kafka';

/** A delivery that settles as `settles` says and records the moves, and what was held while settling. */
class FakeDelivery {
  readonly moves: string[] = [];
  readonly heldWhileSettling: string[] = [];
  onSettle: () => void = () => undefined;

  constructor(
    private readonly control: PartitionControl,
    private readonly consumer: FakeConsumer,
    private readonly settles = true,
  ) {}

  async settle(topic: string, partition: number): Promise<boolean> {
    if (this.control.hold.isHeld(topic, partition) && this.consumer.paused.has(`${topic}:${partition}`))
      this.heldWhileSettling.push(`${topic}:${partition}`);
    this.onSettle();
    return this.settles;
  }

  moveTo(topic: string, partition: number, offset: string): void {
    this.moves.push(`${topic}:${partition}@${offset}`);
  }
}

function setUp(options: { settles?: boolean; admin?: Partial<Admin> } = {}) {
  const control = new PartitionControl();
  const consumer = new FakeConsumer();
  const delivery = new FakeDelivery(control, consumer, options.settles);
  const session: Session = {
    consumer: consumer as unknown as Consumer,
    delivery: delivery as unknown as BatchDelivery,
    awaitingFetch: false,
    startLookUps: 0,
    topics: ['t'],
  };
  control.assigned(session.consumer, { t: [0, 2] });
  let current: Session | undefined = session;
  const admin = (options.admin ?? new FakeAdmin(['t'], {}, '42')) as Admin;
  const context: SeekContext = {
    admin: async () => admin,
    control,
    session,
    isCurrent: (candidate) => candidate === current,
    settleMs: 5000,
  };
  return { control, consumer, delivery, context, replace: () => (current = undefined) };
}

describe('trigger consumer seek', () => {
  it("moves the member's partitions after their records settle, held meanwhile, then releases them", async () => {
    const { consumer, delivery, context, control } = setUp();
    await seek({ kind: 'latest' }, context);
    should(delivery.heldWhileSettling).eql(['t:0', 't:2']);
    should(consumer.seeks).eql([
      { topic: 't', partition: 0, offset: '42' },
      { topic: 't', partition: 2, offset: '42' },
    ]);
    should(delivery.moves).eql(['t:0@42', 't:2@42']);
    should(consumer.paused.size).equal(0);
    should(control.hold.isHeld('t', 0)).be.false();
  });

  it('moves one partition to an offset, and only a partition the member owns', async () => {
    const { consumer, context } = setUp();
    await seek({ kind: 'offset', topic: undefined, partition: 2, offset: 7 }, context);
    should(consumer.seeks).eql([{ topic: 't', partition: 2, offset: '7' }]);
    await should(seek({ kind: 'offset', topic: 't', partition: 1, offset: 7 }, context)).be.rejectedWith({
      key: 'seek-not-owned',
    });
  });

  it('leaves a paused trigger paused', async () => {
    const { consumer, context, control } = setUp();
    control.setPaused(context.session!.consumer, true);
    await seek({ kind: 'earliest' }, context);
    should(consumer.seeks.map(({ offset }) => offset)).eql(['0', '0']);
    should([...consumer.paused].sort()).eql(['t:0', 't:2']);
    should(control.hold.isHeld('t', 0)).be.true();
  });

  it('moves nothing when a partition does not settle, and releases it (seek-busy)', async () => {
    const { consumer, delivery, context, control } = setUp({ settles: false });
    await should(seek({ kind: 'latest' }, context)).be.rejectedWith({ key: 'seek-busy' });
    should(consumer.seeks).be.empty();
    should(delivery.moves).be.empty();
    should(consumer.paused.size).equal(0);
    should(control.hold.isHeld('t', 0)).be.false();
  });

  it('moves nothing once the session was replaced meanwhile, and leaves its consumer alone', async () => {
    const { consumer, delivery, context, control, replace } = setUp();
    delivery.onSettle = replace;
    await should(seek({ kind: 'latest' }, context)).be.rejectedWith({ key: 'seek-no-partitions' });
    should(consumer.seeks).be.empty();
    should(control.hold.isHeld('t', 0)).be.false();
    // The old consumer is not resumed: it is being thrown away.
    should([...consumer.paused].sort()).eql(['t:0', 't:2']);
  });

  it('fails without partitions, and names a failed look-up (seek-failed)', async () => {
    const { context, control } = setUp({
      admin: { fetchTopicOffsets: async () => Promise.reject(new Error('coordinator unavailable')) },
    });
    await should(seek({ kind: 'latest' }, { ...context, session: undefined })).be.rejectedWith({
      key: 'seek-no-partitions',
    });
    await should(seek({ kind: 'latest' }, context)).be.rejectedWith({
      key: 'seek-failed',
      params: { error: 'coordinator unavailable' },
    });
    control.unassigned();
    await should(seek({ kind: 'latest' }, context)).be.rejectedWith({ key: 'seek-no-partitions' });
  });
});
