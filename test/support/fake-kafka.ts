// The parts of a kafkajs consumer and admin client that TriggerConsumer's unit tests drive by hand:
// events to emit, and a record of the pauses, seeks and commits the trigger asked for.
import { EventEmitter } from 'node:events';
import {
  KafkaJSConnectionError,
  type ConsumerRunConfig,
  type Kafka,
  type ProducerBatch,
  type RecordMetadata,
} from 'kafkajs';
import type { WriterProducer } from '../../src/producer/writer-types';
import { ConnectionPool, type PooledClients } from '../../src/client/connection-pool';

export const EVENTS = { GROUP_JOIN: 'join', FETCH: 'fetch', REBALANCING: 'rebalancing', CRASH: 'crash' };

interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

export class FakeConsumerBase extends EventEmitter {
  readonly events = EVENTS;
  readonly seeks: TopicPartitionOffset[] = [];
  readonly commits: TopicPartitionOffset[] = [];
  readonly paused = new Set<string>();

  pause(topicPartitions: { topic: string; partitions: number[] }[]): void {
    for (const { topic, partitions } of topicPartitions)
      for (const partition of partitions) this.paused.add(`${topic}:${partition}`);
  }

  resume(topicPartitions: { topic: string; partitions: number[] }[]): void {
    for (const { topic, partitions } of topicPartitions)
      for (const partition of partitions) this.paused.delete(`${topic}:${partition}`);
  }

  seek(position: TopicPartitionOffset): void {
    this.seeks.push(position);
  }

  async commitOffsets(offsets: TopicPartitionOffset[]): Promise<void> {
    this.commits.push(...offsets);
  }

  /** The group assigns these partitions (by topic) to this member. */
  join(memberAssignment: Record<string, number[]>): void {
    this.emit(EVENTS.GROUP_JOIN, { payload: { memberAssignment } });
  }
}

/**
 * An admin client over a cluster where the group has committed `committed` (topic → partition →
 * offset) and every partition of a topic ends at `endOffset`.
 */
export class FakeAdmin {
  listings = 0;

  constructor(
    private readonly topics: string[] = [],
    readonly committed: Record<string, Record<number, string>> = {},
    private readonly endOffset = '42',
    private readonly partitions = 3,
  ) {}

  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}

  async listTopics(): Promise<string[]> {
    this.listings += 1;
    return [...this.topics];
  }

  async fetchOffsets({ topics }: { topics: string[] }) {
    return topics.map((topic) => ({
      topic,
      partitions: Array.from({ length: this.partitions }, (_, partition) => ({
        partition,
        offset: this.committed[topic]?.[partition] ?? '-1',
      })),
    }));
  }

  async fetchTopicOffsets() {
    return Array.from({ length: this.partitions }, (_, partition) => ({
      partition,
      offset: this.endOffset,
      high: this.endOffset,
      low: '0',
    }));
  }
}

/** The clients a trigger gets from its broker node, from a real pool over a fake kafkajs client. */
export function pooledClients(kafka: Kafka): PooledClients {
  return new ConnectionPool(() => kafka).acquire('test-user');
}

// --- One fake kafkajs client for the unit tests: consumers that connect as told, a shared admin,
// and a producer whose answers the test decides.

/** How a fake consumer's connect() ends: at once, with a connection error, or when the test says. */
export type ConnectResult = 'ok' | 'fail' | 'hang';

export interface Subscription {
  topics: string[];
  fromBeginning: boolean;
}

export class FakeConsumer extends FakeConsumerBase {
  readonly subscriptions: Subscription[] = [];
  /** disconnect() was called; `disconnected` once it has returned. */
  leaving = false;
  disconnected = false;
  /** Resolves disconnect(); replaced to make it hang. */
  disconnecting: Promise<void> = Promise.resolve();
  /** Ends a connect() that hangs. */
  releaseConnect: () => void = () => undefined;

  constructor(private readonly result: ConnectResult = 'ok') {
    super();
  }

  get subscribed(): boolean {
    return this.subscriptions.length > 0;
  }

  connect(): Promise<void> {
    if (this.result === 'fail') return Promise.reject(new KafkaJSConnectionError('connect ECONNREFUSED'));
    if (this.result === 'ok') return Promise.resolve();
    return new Promise((resolve) => (this.releaseConnect = resolve));
  }

  async subscribe(subscription: Subscription): Promise<void> {
    this.subscriptions.push(subscription);
  }

  /** What run() was given: a test calls its eachBatch as kafkajs would. */
  runConfig: ConsumerRunConfig | undefined;

  async run(config?: ConsumerRunConfig): Promise<void> {
    this.runConfig = config;
  }

  async disconnect(): Promise<void> {
    this.leaving = true;
    await this.disconnecting;
    this.disconnected = true;
  }

  /** The consumer crashes as kafkajs reports it when the group no longer knows this member. */
  crash(): void {
    this.emit(EVENTS.CRASH, { payload: { error: new Error('The coordinator is not aware of this member') } });
  }
}

export interface FakeKafka {
  kafka: Kafka;
  /** Every consumer made, in order. */
  consumers: FakeConsumer[];
  admin: FakeAdmin;
}

/**
 * A fake client over `admin`'s cluster whose consumers connect as `results` says, one entry per
 * consumer (the last repeats).
 */
export function fakeKafka(admin = new FakeAdmin(), ...results: ConnectResult[]): FakeKafka {
  const consumers: FakeConsumer[] = [];
  const connectResults = results.length > 0 ? results : (['ok'] as const);
  const kafka = {
    consumer: () => {
      const consumer = new FakeConsumer(
        connectResults[Math.min(consumers.length, connectResults.length - 1)],
      );
      consumers.push(consumer);
      return consumer;
    },
    admin: () => admin,
  } as unknown as Kafka;
  return { kafka, consumers, admin };
}

type Answer = (batch: ProducerBatch) => Promise<RecordMetadata[]>;

/** A producer whose connects and answers the test decides; it records every request. */
export class FakeProducer implements WriterProducer {
  requests: ProducerBatch[] = [];
  connects = 0;
  disconnects = 0;
  connectError: Error | undefined;
  /** Connects wait until the test calls finishConnect (the pool's tests watch them overlap). */
  holdConnects = false;
  /** Ends the connect() that waits; set while one does. */
  finishConnect: ((error?: Error) => void) | undefined;
  answer: Answer = async (batch) => okAnswer(batch);

  async connect(): Promise<void> {
    this.connects += 1;
    if (this.connectError) throw this.connectError;
    if (this.holdConnects)
      await new Promise<void>((resolve, reject) => {
        this.finishConnect = (error) => (error ? reject(error) : resolve());
      });
  }

  async disconnect(): Promise<void> {
    this.disconnects += 1;
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    this.requests.push(batch);
    return this.answer(batch);
  }

  /** The values of each request, in order. */
  get requestValues(): string[][] {
    return this.requests.map((batch) =>
      (batch.topicMessages ?? []).flatMap((topic) => topic.messages.map((m) => String(m.value))),
    );
  }
}

/** Partition from the record's own `partition` (0 when unset), base offset 100 per partition. */
export function okAnswer(batch: ProducerBatch): RecordMetadata[] {
  const seen = new Set<string>();
  const answer: RecordMetadata[] = [];
  for (const { topic, messages } of batch.topicMessages ?? []) {
    for (const message of messages) {
      const partition = message.partition ?? 0;
      if (seen.has(`${topic}/${partition}`)) continue;
      seen.add(`${topic}/${partition}`);
      answer.push({ topicName: topic, partition, errorCode: 0, baseOffset: String(100 * (partition + 1)) });
    }
  }
  return answer;
}

/** A consumer whose commit requests land only when the test lets them, one by one. */
export class HeldCommitsConsumer extends FakeConsumerBase {
  /** Every commit request, in order; `commits` holds the offsets of those that landed. */
  readonly requests: TopicPartitionOffset[][] = [];
  private readonly pending: ((error?: Error) => void)[] = [];

  override commitOffsets(offsets: TopicPartitionOffset[]): Promise<void> {
    this.requests.push(offsets);
    return new Promise<void>((resolve, reject) =>
      this.pending.push((error) => {
        if (error) return reject(error);
        this.commits.push(...offsets);
        resolve();
      }),
    );
  }

  /** The oldest request still in flight lands, or is refused with `error`. */
  land(error?: Error): void {
    this.pending.shift()?.(error);
  }
}

/**
 * An admin client for seeks over partitions 0 to 2 of any topic: partition p starts at offset p and
 * ends at `ends[topic]` (50 when unnamed); looked up by time, partition p answers 20 + p.
 */
export class FakeSeekAdmin extends FakeAdmin {
  constructor(private readonly ends: Record<string, number> = {}) {
    super([], {}, '50', 3);
  }

  override async fetchTopicOffsets(topic = '') {
    const offsets = await super.fetchTopicOffsets();
    return offsets.map((entry) => ({
      ...entry,
      low: String(entry.partition),
      high: String(this.ends[topic] ?? 50),
    }));
  }

  async fetchTopicOffsetsByTimestamp() {
    return [0, 1, 2].map((partition) => ({ partition, offset: String(20 + partition) }));
  }
}
