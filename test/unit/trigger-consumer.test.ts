// The consumer's lifecycle and retries against a fake kafkajs client: fast checks of the rules the
// real-broker tests exercise slowly (backoff growth and reset, close while connecting or backing off).
import { statesOnlyHooks } from '../support/delivery-harness';
import should from 'should';
import type { Kafka } from 'kafkajs';
import type { BackoffPolicy } from '../../src/client/backoff';
import { TriggerConsumer, type ConsumerState } from '../../src/consumer/trigger-consumer';
import { resolveTriggerSettings } from '../../src/settings/trigger-settings';
import { until, useFakeClock } from '../support/fake-clock';
import { EVENTS, FakeAdmin, fakeKafka, pooledClients, type ConnectResult } from '../support/fake-kafka';

const BACKOFF: BackoffPolicy = { initialMs: 10, maxMs: 40 };

/** A fake client whose consumers connect as `results` says, over a cluster where the group has committed nothing yet. */
const fakeClient = (...results: ConnectResult[]) => fakeKafka(new FakeAdmin(['t']), ...results);

function triggerConsumer(
  kafka: Kafka,
  onState: (state: ConsumerState, consumer: TriggerConsumer) => void = () => undefined,
): { consumer: TriggerConsumer; states: ConsumerState[] } {
  const resolved = resolveTriggerSettings({ topic: 't' }, 'node1');
  if (!('settings' in resolved)) throw new Error('test settings are invalid');
  const states: ConsumerState[] = [];
  const consumer = new TriggerConsumer({
    clients: pooledClients(kafka),
    settings: resolved.settings,
    backoff: BACKOFF,
    hooks: statesOnlyHooks((state) => {
      states.push(state);
      onState(state, consumer);
    }),
  });
  return { consumer, states };
}

const retries = (states: ConsumerState[]) =>
  states.filter((state): state is ConsumerState & { kind: 'retrying' } => state.kind === 'retrying');

describe('trigger consumer lifecycle', () => {
  const fake = useFakeClock();

  it('retries a failing connection with a growing, capped, jittered delay, each on a fresh consumer', async () => {
    const { kafka, consumers } = fakeClient('fail');
    const { consumer, states } = triggerConsumer(kafka);
    consumer.start();
    await until(fake.clock, () => retries(states).length >= 5, 'five retries');
    await consumer.close(0);
    for (const state of retries(states).slice(0, 5)) {
      const cap = Math.min(BACKOFF.initialMs * 2 ** (state.attempt - 1), BACKOFF.maxMs);
      should(state.delayMs).be.within(cap / 2, cap);
    }
    should(
      retries(states)
        .map((state) => state.attempt)
        .slice(0, 5),
    ).eql([1, 2, 3, 4, 5]);
    should(retries(states)[0].failure).equal('unreachable');
    should(states[0]).eql({ kind: 'connecting' });
    should(consumers.every((c) => c.disconnected)).be.true();
  });

  it('starts once however often start() is called', async () => {
    const { kafka, consumers } = fakeClient('hang');
    const { consumer } = triggerConsumer(kafka);
    consumer.start();
    consumer.start();
    should(consumers).have.length(1);
    await consumer.close(0);
    consumer.start();
    should(consumers).have.length(1);
  });

  it('closed while connecting, it neither subscribes nor retries once the connection completes', async () => {
    const { kafka, consumers } = fakeClient('hang');
    const { consumer, states } = triggerConsumer(kafka);
    consumer.start();
    const closing = consumer.close(0);
    consumers[0].releaseConnect();
    await closing;
    await fake.clock.tickAsync(BACKOFF.maxMs * 2);
    should(consumers[0].subscribed).be.false();
    should(consumers[0].disconnected).be.true();
    should(consumers).have.length(1);
    should(retries(states)).be.empty();
  });

  it('closed while backing off, it makes no further attempt', async () => {
    const { kafka, consumers } = fakeClient('fail');
    let closing: Promise<void> | undefined;
    // Closes as the first retry is reported, while its backoff timer runs.
    const { consumer } = triggerConsumer(kafka, (state, self) => {
      if (state.kind === 'retrying') closing ??= self.close(0);
    });
    consumer.start();
    await until(fake.clock, () => closing !== undefined, 'a retry');
    await closing;
    await fake.clock.tickAsync(BACKOFF.maxMs * 2);
    should(consumers).have.length(1);
  });

  it('keeps backing off when a consumer joins and then crashes, and starts again after staying a while', async () => {
    const { kafka, consumers } = fakeClient('ok');
    const { consumer, states } = triggerConsumer(kafka);
    consumer.start();
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const current = await until(fake.clock, () => consumers[attempt - 1], `consumer ${attempt}`);
      await until(
        fake.clock,
        () => current.listenerCount(EVENTS.CRASH) > 0 && current.subscribed,
        'subscribed',
      );
      current.join({ t: [0] });
      // In the group for less than a backoff cap: not yet health.
      await fake.clock.tickAsync(BACKOFF.maxMs - 1);
      current.crash();
      await until(fake.clock, () => retries(states).length === attempt, `retry ${attempt}`);
    }
    should(retries(states).map((state) => state.attempt)).eql([1, 2, 3]);
    const steady = await until(fake.clock, () => consumers[3], 'consumer 4');
    await until(fake.clock, () => steady.subscribed, 'subscribed');
    steady.join({ t: [0] });
    // Staying in the group for a backoff cap counts as health.
    await fake.clock.tickAsync(BACKOFF.maxMs);
    steady.crash();
    await until(fake.clock, () => retries(states).length === 4, 'retry 4');
    should(retries(states)[3].attempt).equal(1);
    await consumer.close(0);
  });

  it('reports connected after the first fetch that follows a join and the start look-up, not before', async () => {
    const { kafka, consumers } = fakeClient('ok');
    const { consumer, states } = triggerConsumer(kafka);
    consumer.start();
    const current = await until(fake.clock, () => consumers[0], 'a consumer');
    await until(fake.clock, () => current.subscribed, 'subscribed');
    current.join({ t: [0, 1] });
    // A fetch while the new group's start is looked up (the partitions held) is not "connected".
    current.emit(EVENTS.FETCH, {});
    should(states.some((state) => state.kind === 'connected')).be.false();
    await until(fake.clock, () => current.paused.size === 0, 'the start looked up');
    current.emit(EVENTS.FETCH, {});
    should(states.at(-1)).eql({ kind: 'connected', partitions: 2, lag: 0 });
    await consumer.close(0);
  });

  it("starts a new group's partitions at their end and commits that at once; committed ones stay", async () => {
    const { kafka, consumers } = fakeKafka(new FakeAdmin(['t'], { t: { 1: '7' } }, '42'));
    const { consumer } = triggerConsumer(kafka);
    consumer.start();
    const current = await until(fake.clock, () => consumers[0], 'a consumer');
    await until(fake.clock, () => current.subscribed, 'subscribed');
    current.join({ t: [0, 1, 2] });
    should([...current.paused].sort()).eql(['t:0', 't:1', 't:2']);
    await until(fake.clock, () => current.commits.length === 2, 'the starts committed');
    should(current.seeks).eql([
      { topic: 't', partition: 0, offset: '42' },
      { topic: 't', partition: 2, offset: '42' },
    ]);
    should(current.commits).eql(current.seeks);
    await until(fake.clock, () => current.paused.size === 0, 'the partitions released');
    await consumer.close(0);
  });
});
