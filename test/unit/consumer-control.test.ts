// Control messages against a fake kafkajs client, on fake timers: pause and resume keep one record
// of the pause (the partition hold), which the kafkajs consumer follows, also across a stop and a
// start; stop leaves the group; start joins again.
import { install } from '@sinonjs/fake-timers';
import should from 'should';
import type { Consumer } from 'kafkajs';
import { statesOnlyHooks } from '../support/delivery-harness';
import { TriggerConsumer, type ConsumerState } from '../../src/consumer/trigger-consumer';
import { PartitionControl } from '../../src/consumer/partition-control';
import { resolveTriggerSettings } from '../../src/settings/trigger-settings';
import { FakeAdmin, FakeConsumer, fakeKafka, pooledClients } from '../support/fake-kafka';

describe('trigger consumer control', () => {
  let clock: ReturnType<typeof install>;
  beforeEach(() => (clock = install()));
  afterEach(() => clock.uninstall());

  /** A trigger on topic t from earliest (no start look-ups), started and settled. */
  async function started() {
    const resolved = resolveTriggerSettings({ topic: 't', start_from: 'earliest' }, 'node1');
    if (!('settings' in resolved)) throw new Error('test settings are invalid');
    const { kafka, consumers } = fakeKafka(new FakeAdmin(['t']));
    const states: ConsumerState[] = [];
    const trigger = new TriggerConsumer({
      clients: pooledClients(kafka),
      settings: resolved.settings,
      backoff: { initialMs: 10, maxMs: 40 },
      hooks: statesOnlyHooks((state) => void states.push(state)),
    });
    trigger.start();
    await clock.tickAsync(0);
    return { trigger, consumers, states, current: (): FakeConsumer => consumers.at(-1)! };
  }

  it('pauses and resumes the partitions of the member, in the consumer and on the badge', async () => {
    const { trigger, current, states } = await started();
    current().join({ t: [0, 1] });
    await trigger.control({ action: 'pause' });
    should(trigger.controlState).equal('paused');
    should([...current().paused].sort()).eql(['t:0', 't:1']);
    should(states.at(-1)).eql({ kind: 'paused' });
    await trigger.control({ action: 'resume' });
    should(trigger.controlState).equal('consuming');
    should(current().paused.size).equal(0);
    should(states.at(-1)).eql({ kind: 'connected', partitions: 2, lag: 0 });
    await trigger.close(0);
  });

  it('applies a pause given before the join as the consumer joins', async () => {
    const { trigger, current, states } = await started();
    await trigger.control({ action: 'pause' });
    current().join({ t: [0, 1, 2] });
    should([...current().paused].sort()).eql(['t:0', 't:1', 't:2']);
    should(states.at(-1)).eql({ kind: 'paused' });
    await trigger.close(0);
  });

  it('stops: leaves the group, and stays out, paused or not, until a start joins again', async () => {
    const { trigger, consumers, current, states } = await started();
    current().join({ t: [0] });
    await trigger.control({ action: 'stop' });
    should(trigger.controlState).equal('stopped');
    should(consumers[0].disconnected).be.true();
    should(states.at(-1)).eql({ kind: 'stopped' });
    // Remembered while stopped, applied to the next consumer.
    await trigger.control({ action: 'pause' });
    should(trigger.controlState).equal('stopped');
    await trigger.control({ action: 'stop' });
    await clock.tickAsync(60_000);
    should(consumers).have.length(1);
    await should(trigger.control({ action: 'seek', target: { kind: 'latest' } })).be.rejectedWith({
      key: 'seek-stopped',
    });
    await trigger.control({ action: 'start' });
    await clock.tickAsync(0);
    should(consumers).have.length(2);
    should(trigger.controlState).equal('paused');
    current().join({ t: [0, 1] });
    should([...current().paused].sort()).eql(['t:0', 't:1']);
    await trigger.control({ action: 'resume' });
    should(current().paused.size).equal(0);
    should(trigger.controlState).equal('consuming');
    await trigger.close(0);
  });

  it('takes a start while consuming as a no-op, and refuses every message once closed', async () => {
    const { trigger, consumers, current } = await started();
    current().join({ t: [0] });
    await trigger.control({ action: 'start' });
    await clock.tickAsync(0);
    should(consumers).have.length(1);
    await trigger.close(0);
    await should(trigger.control({ action: 'resume' })).be.rejectedWith({ key: 'control-closed' });
  });
});

describe('partition control', () => {
  const consumer = () => new FakeConsumer();
  const kafkajs = (fake: FakeConsumer) => fake as unknown as Consumer;

  it('keeps one record of a pause: the hold holds every partition exactly while paused', () => {
    const control = new PartitionControl();
    const fake = consumer();
    control.assigned(kafkajs(fake), { t: [0, 1] });
    control.setPaused(kafkajs(fake), true);
    should(control.paused).be.true();
    should(control.hold.isHeld('t', 0)).be.true();
    should(control.hold.isHeld('other', 7)).be.true();
    control.setPaused(kafkajs(fake), false);
    should(control.paused).be.false();
    should(control.hold.allHeld).be.false();
    should(control.hold.isHeld('t', 0)).be.false();
  });

  it('leaves a paused consumer paused when a partition held for a move is released', () => {
    const control = new PartitionControl();
    const fake = consumer();
    control.assigned(kafkajs(fake), { t: [0, 1] });
    control.holdBack(kafkajs(fake), [{ topic: 't', partitions: [0] }]);
    control.setPaused(kafkajs(fake), true);
    control.release(kafkajs(fake), [{ topic: 't', partitions: [0] }]);
    should([...fake.paused].sort()).eql(['t:0', 't:1']);
    control.setPaused(kafkajs(fake), false);
    should(fake.paused.size).equal(0);
    should(control.hold.isHeld('t', 0)).be.false();
  });
});
