// The consumer's lifecycle and retries against a fake kafkajs client: fast checks of the rules the
// real-broker tests exercise slowly (backoff growth and reset, close while connecting or backing off).
import { statesOnlyHooks } from '../support/delivery-harness';
import should from 'should';
import { KafkaJSConnectionError, type Kafka } from 'kafkajs';
import type { BackoffPolicy } from '../../src/client/backoff';
import { TriggerConsumer, type ConsumerState } from '../../src/consumer/trigger-consumer';
import { resolveTriggerSettings } from '../../src/settings/trigger-settings';
import { EVENTS, FakeAdmin, FakeConsumerBase, pooledClients } from '../support/fake-kafka';
import { waitFor } from '../support/wait';

const BACKOFF: BackoffPolicy = { initialMs: 10, maxMs: 40 };

type ConnectResult = 'ok' | 'fail' | 'hang';

class FakeConsumer extends FakeConsumerBase {
  subscribed = false;
  disconnected = false;
  releaseConnect: () => void = () => undefined;

  constructor(private readonly result: ConnectResult) {
    super();
  }

  connect(): Promise<void> {
    if (this.result === 'fail') return Promise.reject(new KafkaJSConnectionError('connect ECONNREFUSED'));
    if (this.result === 'ok') return Promise.resolve();
    return new Promise((resolve) => (this.releaseConnect = resolve));
  }

  async subscribe(): Promise<void> {
    this.subscribed = true;
  }

  async run(): Promise<void> {}

  async disconnect(): Promise<void> {
    this.disconnected = true;
  }

  crash(): void {
    this.emit(EVENTS.CRASH, { payload: { error: new Error('The coordinator is not aware of this member') } });
  }
}

/**
 * A fake client whose consumers connect as `results` says, one entry per consumer (the last
 * repeats), over a cluster where the group has committed nothing yet.
 */
function fakeKafka(...results: ConnectResult[]): { kafka: Kafka; consumers: FakeConsumer[] } {
  const consumers: FakeConsumer[] = [];
  const kafka = {
    consumer: () => {
      const consumer = new FakeConsumer(results[Math.min(consumers.length, results.length - 1)]!);
      consumers.push(consumer);
      return consumer;
    },
    admin: () => new FakeAdmin(['t']),
  } as unknown as Kafka;
  return { kafka, consumers };
}

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
  it('retries a failing connection with a growing, capped, jittered delay, each on a fresh consumer', async () => {
    const { kafka, consumers } = fakeKafka('fail');
    const { consumer, states } = triggerConsumer(kafka);
    consumer.start();
    await waitFor(() => retries(states).length >= 5, 5000, 'five retries');
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
    should(retries(states)[0]!.failure).equal('unreachable');
    should(states[0]).eql({ kind: 'connecting' });
    should(consumers.every((c) => c.disconnected)).be.true();
  });

  it('starts once however often start() is called', async () => {
    const { kafka, consumers } = fakeKafka('hang');
    const { consumer } = triggerConsumer(kafka);
    consumer.start();
    consumer.start();
    should(consumers).have.length(1);
    await consumer.close(0);
    consumer.start();
    should(consumers).have.length(1);
  });

  it('closed while connecting, it neither subscribes nor retries once the connection completes', async () => {
    const { kafka, consumers } = fakeKafka('hang');
    const { consumer, states } = triggerConsumer(kafka);
    consumer.start();
    const closing = consumer.close(0);
    consumers[0]!.releaseConnect();
    await closing;
    await new Promise((resolve) => setTimeout(resolve, BACKOFF.maxMs * 2));
    should(consumers[0]!.subscribed).be.false();
    should(consumers[0]!.disconnected).be.true();
    should(consumers).have.length(1);
    should(retries(states)).be.empty();
  });

  it('closed while backing off, it makes no further attempt', async () => {
    const { kafka, consumers } = fakeKafka('fail');
    let closing: Promise<void> | undefined;
    // Closes as the first retry is reported, while its backoff timer runs.
    const { consumer } = triggerConsumer(kafka, (state, self) => {
      if (state.kind === 'retrying') closing ??= self.close(0);
    });
    consumer.start();
    await waitFor(() => closing !== undefined, 5000, 'a retry');
    await closing;
    await new Promise((resolve) => setTimeout(resolve, BACKOFF.maxMs * 2));
    should(consumers).have.length(1);
  });

  it('keeps backing off when a consumer joins and then crashes, and starts again after staying a while', async () => {
    const { kafka, consumers } = fakeKafka('ok');
    const { consumer, states } = triggerConsumer(kafka);
    consumer.start();
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const current = await waitFor(() => consumers[attempt - 1], 5000, `consumer ${attempt}`);
      await waitFor(() => current.listenerCount(EVENTS.CRASH) > 0 && current.subscribed, 5000, 'subscribed');
      current.join({ t: [0] });
      current.crash();
      await waitFor(() => retries(states).length === attempt, 5000, `retry ${attempt}`);
    }
    should(retries(states).map((state) => state.attempt)).eql([1, 2, 3]);
    const steady = await waitFor(() => consumers[3], 5000, 'consumer 4');
    await waitFor(() => steady.subscribed, 5000, 'subscribed');
    steady.join({ t: [0] });
    // Staying in the group for a backoff cap counts as health.
    await new Promise((resolve) => setTimeout(resolve, BACKOFF.maxMs * 2));
    steady.crash();
    await waitFor(() => retries(states).length === 4, 5000, 'retry 4');
    should(retries(states)[3]!.attempt).equal(1);
    await consumer.close(0);
  });

  it('reports connected after the first fetch that follows a join and the start look-up, not before', async () => {
    const { kafka, consumers } = fakeKafka('ok');
    const { consumer, states } = triggerConsumer(kafka);
    consumer.start();
    const current = await waitFor(() => consumers[0], 5000, 'a consumer');
    await waitFor(() => current.subscribed, 5000, 'subscribed');
    current.join({ t: [0, 1] });
    // A fetch while the new group's start is looked up (the partitions held) is not "connected".
    current.emit(EVENTS.FETCH, {});
    should(states.some((state) => state.kind === 'connected')).be.false();
    await waitFor(() => current.paused.size === 0, 5000, 'the start looked up');
    current.emit(EVENTS.FETCH, {});
    should(states.at(-1)).eql({ kind: 'connected', partitions: 2, lag: 0 });
    await consumer.close(0);
  });

  it("starts a new group's partitions at their end and commits that at once; committed ones stay", async () => {
    const consumers: FakeConsumer[] = [];
    const admin = new FakeAdmin(['t'], { t: { 1: '7' } }, '42');
    const kafka = {
      consumer: () => {
        consumers.push(new FakeConsumer('ok'));
        return consumers.at(-1);
      },
      admin: () => admin,
    } as unknown as Kafka;
    const { consumer } = triggerConsumer(kafka);
    consumer.start();
    const current = await waitFor(() => consumers[0], 5000, 'a consumer');
    await waitFor(() => current.subscribed, 5000, 'subscribed');
    current.join({ t: [0, 1, 2] });
    should([...current.paused].sort()).eql(['t:0', 't:1', 't:2']);
    await waitFor(() => current.commits.length === 2, 5000, 'the starts committed');
    should(current.seeks).eql([
      { topic: 't', partition: 0, offset: '42' },
      { topic: 't', partition: 2, offset: '42' },
    ]);
    should(current.commits).eql(current.seeks);
    await waitFor(() => current.paused.size === 0, 5000, 'the partitions released');
    await consumer.close(0);
  });
});
