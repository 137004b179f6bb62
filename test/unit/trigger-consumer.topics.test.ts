// The consumer's topic subscription against a fake kafkajs client: a list is subscribed as written, a
// /regex/ to what a listing matches, re-listed every refresh interval, replacing the consumer when the
// set changes, and never again once the trigger is closed. The real-broker checks are in
// test/integration/kafka-trigger.topics.test.ts.
import { statesOnlyHooks } from '../support/delivery-harness';
import should from 'should';
import type { Kafka } from 'kafkajs';
import { TriggerConsumer, type ConsumerState } from '../../src/consumer/trigger-consumer';
import { resolveTriggerSettings, type TriggerConfig } from '../../src/settings/trigger-settings';
import { until, useFakeClock } from '../support/fake-clock';
import { EVENTS, FakeAdmin, fakeKafka, pooledClients } from '../support/fake-kafka';

function fakeClient(topics: string[]) {
  const made = fakeKafka(new FakeAdmin(topics));
  return { ...made, listings: () => made.admin.listings };
}

function triggerConsumer(kafka: Kafka, config: TriggerConfig) {
  const resolved = resolveTriggerSettings(config, 'node1');
  if (!('settings' in resolved)) throw new Error('test settings are invalid');
  const states: ConsumerState[] = [];
  const consumer = new TriggerConsumer({
    clients: pooledClients(kafka),
    settings: resolved.settings,
    backoff: { initialMs: 10, maxMs: 40 },
    hooks: statesOnlyHooks((state) => void states.push(state)),
  });
  return { consumer, states };
}

describe('trigger consumer topic subscription', () => {
  const fake = useFakeClock();

  it('subscribes to a list as written, without listing the cluster or refreshing', async () => {
    const client = fakeClient([]);
    const { consumer } = triggerConsumer(client.kafka, { topic: 'b, a', topic_refresh_interval: 0.02 });
    consumer.start();
    await until(fake.clock, () => client.consumers[0]?.subscriptions.length === 1, 'the subscription');
    // Five refresh intervals.
    await fake.clock.tickAsync(100);
    await consumer.close(0);
    should(client.consumers[0].subscriptions).eql([{ topics: ['b', 'a'], fromBeginning: false }]);
    should(client.listings()).equal(0);
    should(client.consumers).have.length(1);
  });

  it('subscribes a /regex/ to the matching topics and re-subscribes when a new one appears', async () => {
    const topics = ['orders-eu', '__consumer_offsets', 'users', 'orders-dead'];
    const client = fakeClient(topics);
    const { consumer, states } = triggerConsumer(client.kafka, {
      topic: '/orders-/',
      topic_refresh_interval: 0.05,
      delivery: 'complete',
      dead_letter_topic: 'orders-dead',
    });
    consumer.start();
    await until(fake.clock, () => client.consumers[0]?.subscriptions.length === 1, 'the first subscription');
    should(client.consumers[0].subscriptions).eql([{ topics: ['orders-eu'], fromBeginning: false }]);
    // Same set: the consumer stays.
    const listed = client.listings();
    await until(fake.clock, () => client.listings() >= listed + 2, 'two more listings');
    should(client.consumers).have.length(1);

    topics.push('orders-us');
    await until(fake.clock, () => client.consumers[1]?.subscriptions.length === 2, 'the new subscription');
    should(client.consumers[0].disconnected).be.true();
    // The topic created after the start is read from its beginning; the others as start_from says.
    should(client.consumers[1].subscriptions).eql([
      { topics: ['orders-eu'], fromBeginning: false },
      { topics: ['orders-us'], fromBeginning: true },
    ]);
    should(states.some((state) => state.kind === 'rebalancing')).be.true();
    client.consumers[1].join({ 'orders-eu': [0, 1], 'orders-us': [0], other: [5] });
    // orders-eu starts at its end (newest), looked up first; orders-us, matched later, at its first record.
    await until(fake.clock, () => client.consumers[1].paused.size === 0, 'the start looked up');
    should(client.consumers[1].seeks.map(({ topic }) => topic)).eql(['orders-eu', 'orders-eu']);
    client.consumers[1].emit(EVENTS.FETCH);
    should(states.at(-1)).eql({ kind: 'connected', partitions: 3, lag: 0, topics: 2 });
    await consumer.close(0);
  });

  it('says so while a /regex/ matches nothing, checking again within the refresh interval', async () => {
    const topics: string[] = ['users'];
    const client = fakeClient(topics);
    const { consumer, states } = triggerConsumer(client.kafka, {
      topic: '/^orders$/',
      topic_refresh_interval: 0.03,
    });
    consumer.start();
    const waiting = () => states.filter((state) => state.kind === 'no-matching-topics');
    await until(fake.clock, () => waiting().length >= 3, 'three checks');
    for (const state of waiting())
      should(state).containEql({ kind: 'no-matching-topics', pattern: '^orders$' });
    should(waiting().every((state) => 'delayMs' in state && state.delayMs <= 30)).be.true();
    topics.push('orders');
    await until(
      fake.clock,
      () => client.consumers.some((c) => c.subscriptions.length > 0),
      'the subscription once the topic exists',
    );
    await consumer.close(0);
  });

  it('closed while replacing its consumer, waits for it to leave and never starts another', async () => {
    const topics = ['orders-eu'];
    const client = fakeClient(topics);
    const { consumer } = triggerConsumer(client.kafka, { topic: '/orders-/', topic_refresh_interval: 0.03 });
    consumer.start();
    await until(fake.clock, () => client.consumers[0]?.subscriptions.length === 1, 'the first subscription');
    let release: () => void = () => undefined;
    client.consumers[0].disconnecting = new Promise((resolve) => (release = resolve));
    topics.push('orders-us');
    await until(fake.clock, () => client.consumers[0].leaving, 'the refresh replacing the consumer');
    let closed = false;
    const closing = consumer.close(0).then(() => (closed = true));
    await fake.clock.tickAsync(50);
    should(closed).be.false();
    release();
    await closing;
    should(client.consumers[0].disconnected).be.true();
    const listings = client.listings();
    // Several refresh intervals.
    await fake.clock.tickAsync(200);
    should(client.consumers).have.length(1);
    should(client.listings()).equal(listings);
  });
});
