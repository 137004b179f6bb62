// A new group's start, looked up by the trigger, against the fake consumer and admin client: which
// partitions are looked up, held meanwhile, moved and released; a look-up that outlives its session
// moves nothing and still releases the hold.
import should from 'should';
import type { Admin, Consumer } from 'kafkajs';
import type { BatchDelivery } from '../../src/delivery/delivery';
import type { Session } from '../../src/consumer/lifecycle';
import { PartitionControl } from '../../src/consumer/partition-control';
import { freshStart, startFreshPartitions, type StartContext } from '../../src/consumer/start-positions';
import { resolveTriggerSettings, type TriggerConfig } from '../../src/settings/trigger-settings';
import { FakeAdmin, FakeConsumer } from '../support/fake-kafka';

function settings(config: Partial<TriggerConfig>) {
  const resolved = resolveTriggerSettings({ topic: 't', ...config }, 'node1');
  if (!('settings' in resolved)) throw new Error('test settings are invalid');
  return resolved.settings;
}

function setUp(admin: FakeAdmin) {
  const control = new PartitionControl();
  const consumer = new FakeConsumer();
  const moves: string[] = [];
  const session: Session = {
    consumer: consumer as unknown as Consumer,
    delivery: {
      moveTo: (t: string, p: number, o: string) => moves.push(`${t}:${p}@${o}`),
    } as unknown as BatchDelivery,
    awaitingFetch: false,
    startLookUps: 0,
    topics: ['t'],
  };
  let current = true;
  const context: StartContext = {
    admin: async () => admin as unknown as Admin,
    groupId: 'g',
    control,
    isCurrent: () => current,
  };
  control.assigned(session.consumer, { t: [0, 1, 2] });
  return { control, consumer, session, context, moves, replace: () => (current = false) };
}

describe('trigger consumer start positions', () => {
  it('looks up newest for the topics the trigger started with only, a timestamp for all, earliest never', () => {
    const assignment = { t: [0], later: [1] };
    should(freshStart(settings({}), assignment, ['t'])!.assignment).eql({ t: [0] });
    const atTime = settings({ start_from: 'timestamp', start_timestamp: '2024-01-01T00:00:00Z' });
    should(freshStart(atTime, assignment, ['t'])!.assignment).eql(assignment);
    should(freshStart(settings({ start_from: 'earliest' }), assignment, ['t'])).be.undefined();
  });

  it('moves the partitions without a committed offset to the end, holding them until then', async () => {
    const { control, consumer, session, context, moves } = setUp(
      new FakeAdmin(['t'], { t: { 1: '7' } }, '42'),
    );
    const starting = startFreshPartitions(
      session,
      freshStart(settings({}), control.assignment, ['t'])!,
      context,
    );
    should([...consumer.paused].sort()).eql(['t:0', 't:1', 't:2']);
    should(control.hold.isHeld('t', 0)).be.true();
    should(session.startLookUps).equal(1);
    await starting;
    should(moves).eql(['t:0@42', 't:2@42']);
    should(consumer.seeks.map(({ partition }) => partition)).eql([0, 2]);
    should(consumer.paused.size).equal(0);
    should(control.hold.isHeld('t', 0)).be.false();
    should(session.startLookUps).equal(0);
  });

  it('moves nothing for a session replaced during the look-up, and releases the hold for the next one', async () => {
    const { control, consumer, session, context, moves, replace } = setUp(new FakeAdmin(['t']));
    const starting = startFreshPartitions(
      session,
      freshStart(settings({}), control.assignment, ['t'])!,
      context,
    );
    replace();
    await starting;
    should(moves).be.empty();
    should(consumer.seeks).be.empty();
    should(control.hold.isHeld('t', 0)).be.false();
    should(session.startLookUps).equal(0);
  });

  it('rejects when a look-up fails, with the hold released', async () => {
    const admin = new FakeAdmin(['t']);
    admin.fetchOffsets = async () => Promise.reject(new Error('coordinator unavailable'));
    const { control, session, context } = setUp(admin);
    const start = freshStart(settings({}), control.assignment, ['t'])!;
    await should(startFreshPartitions(session, start, context)).be.rejectedWith('coordinator unavailable');
    should(control.hold.isHeld('t', 0)).be.false();
  });
});
