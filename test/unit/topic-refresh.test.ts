// The consumer's topic subscription against a fake kafkajs client: a list is subscribed as written, a
// /regex/ to what a listing matches, re-listed every refresh interval, replacing the consumer when the
// set changes, and never again once the trigger is closed. The real-broker checks are in
// test/integration/kafka-trigger.topics.test.ts.
import { statesOnlyHooks } from '../support/delivery-harness';
import should from 'should';
import type { Kafka } from 'kafkajs';
import { TriggerConsumer, type ConsumerState } from '../../src/consumer/trigger-consumer';
import { resolveTriggerSettings, type TriggerConfig } from '../../src/settings/trigger-settings';
import { EVENTS, FakeAdmin, FakeConsumerBase, pooledClients } from '../support/fake-kafka';
import { sleep, waitFor } from '../support/wait';

class FakeConsumer extends FakeConsumerBase {
  readonly subscriptions: { topics: string[]; fromBeginning: boolean }[] = [];
  disconnected = false;
  /** Resolves disconnect(); replaced to make it hang. */
  disconnecting: Promise<void> = Promise.resolve();

  async connect(): Promise<void> {}
  async subscribe(subscription: { topics: string[]; fromBeginning: boolean }): Promise<void> {
    this.subscriptions.push(subscription);
  }
  async run(): Promise<void> {}
  async disconnect(): Promise<void> {
    await this.disconnecting;
    this.disconnected = true;
  }
}

function fakeKafka(topics: string[]) {
  const consumers: FakeConsumer[] = [];
  const admin = new FakeAdmin(topics);
  const kafka = {
    consumer: () => {
      const consumer = new FakeConsumer();
      consumers.push(consumer);
      return consumer;
    },
    admin: () => admin,
  } as unknown as Kafka;
  return { kafka, consumers, listings: () => admin.listings };
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
  it('subscribes to a list as written, without listing the cluster or refreshing', async () => {
    const fake = fakeKafka([]);
    const { consumer } = triggerConsumer(fake.kafka, { topic: 'b, a', topic_refresh_interval: 0.02 });
    consumer.start();
    await waitFor(() => fake.consumers[0]?.subscriptions.length === 1, 2000, 'the subscription');
    await sleep(100);
    await consumer.close(0);
    should(fake.consumers[0]!.subscriptions).eql([{ topics: ['b', 'a'], fromBeginning: false }]);
    should(fake.listings()).equal(0);
    should(fake.consumers).have.length(1);
  });

  it('subscribes a /regex/ to the matching topics and re-subscribes when a new one appears', async () => {
    const topics = ['orders-eu', '__consumer_offsets', 'users', 'orders-dead'];
    const fake = fakeKafka(topics);
    const { consumer, states } = triggerConsumer(fake.kafka, {
      topic: '/orders-/',
      topic_refresh_interval: 0.05,
      delivery: 'complete',
      dead_letter_topic: 'orders-dead',
    });
    consumer.start();
    await waitFor(() => fake.consumers[0]?.subscriptions.length === 1, 2000, 'the first subscription');
    should(fake.consumers[0]!.subscriptions).eql([{ topics: ['orders-eu'], fromBeginning: false }]);
    // Same set: the consumer stays.
    const listed = fake.listings();
    await waitFor(() => fake.listings() >= listed + 2, 2000, 'two more listings');
    should(fake.consumers).have.length(1);

    topics.push('orders-us');
    await waitFor(() => fake.consumers[1]?.subscriptions.length === 2, 2000, 'the new subscription');
    should(fake.consumers[0]!.disconnected).be.true();
    // The topic created after the start is read from its beginning; the others as start_from says.
    should(fake.consumers[1]!.subscriptions).eql([
      { topics: ['orders-eu'], fromBeginning: false },
      { topics: ['orders-us'], fromBeginning: true },
    ]);
    should(states.some((state) => state.kind === 'rebalancing')).be.true();
    fake.consumers[1]!.join({ 'orders-eu': [0, 1], 'orders-us': [0], other: [5] });
    // orders-eu starts at its end (newest), looked up first; orders-us, matched later, at its first record.
    await waitFor(() => fake.consumers[1]!.paused.size === 0, 2000, 'the start looked up');
    should(fake.consumers[1]!.seeks.map(({ topic }) => topic)).eql(['orders-eu', 'orders-eu']);
    fake.consumers[1]!.emit(EVENTS.FETCH);
    should(states.at(-1)).eql({ kind: 'connected', partitions: 3, lag: 0, topics: 2 });
    await consumer.close(0);
  });

  it('says so while a /regex/ matches nothing, checking again within the refresh interval', async () => {
    const topics: string[] = ['users'];
    const fake = fakeKafka(topics);
    const { consumer, states } = triggerConsumer(fake.kafka, {
      topic: '/^orders$/',
      topic_refresh_interval: 0.03,
    });
    consumer.start();
    const waiting = () => states.filter((state) => state.kind === 'no-matching-topics');
    await waitFor(() => waiting().length >= 3, 2000, 'three checks');
    for (const state of waiting())
      should(state).containEql({ kind: 'no-matching-topics', pattern: '^orders$' });
    should(waiting().every((state) => 'delayMs' in state && state.delayMs <= 30)).be.true();
    topics.push('orders');
    await waitFor(
      () => fake.consumers.some((c) => c.subscriptions.length > 0),
      2000,
      'the subscription once the topic exists',
    );
    await consumer.close(0);
  });

  it('closed while replacing its consumer, waits for it to leave and never starts another', async () => {
    const topics = ['orders-eu'];
    const fake = fakeKafka(topics);
    const { consumer } = triggerConsumer(fake.kafka, { topic: '/orders-/', topic_refresh_interval: 0.03 });
    consumer.start();
    await waitFor(() => fake.consumers[0]?.subscriptions.length === 1, 2000, 'the first subscription');
    let release: () => void = () => undefined;
    fake.consumers[0]!.disconnecting = new Promise((resolve) => (release = resolve));
    topics.push('orders-us');
    // The refresh has begun replacing the consumer once the old one is leaving.
    await sleep(200);
    let closed = false;
    const closing = consumer.close(0).then(() => (closed = true));
    await sleep(50);
    should(closed).be.false();
    release();
    await closing;
    should(fake.consumers[0]!.disconnected).be.true();
    const listings = fake.listings();
    await sleep(200);
    should(fake.consumers).have.length(1);
    should(fake.listings()).equal(listings);
  });
});
