// The parts of a kafkajs consumer and admin client that TriggerConsumer's unit tests drive by hand:
// events to emit, and a record of the pauses, seeks and commits the trigger asked for.
import { EventEmitter } from 'node:events';
import { KafkaJSConnectionError, type Kafka } from 'kafkajs';
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

  async run(): Promise<void> {}

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
