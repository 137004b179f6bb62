// The parts of a kafkajs consumer and admin client that TriggerConsumer's unit tests drive by hand:
// events to emit, and a record of the pauses, seeks and commits the trigger asked for.
import { EventEmitter } from 'node:events';
import type { Kafka } from 'kafkajs';
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

// --- A producer for the connection pool's tests: counts its connects and disconnects.

export class FakeProducer {
  connects = 0;
  disconnects = 0;
  /** Ends the pending connect(); set while one waits. */
  finishConnect: ((error?: Error) => void) | undefined;

  connect(): Promise<void> {
    this.connects += 1;
    return new Promise((resolve, reject) => {
      this.finishConnect = (error) => (error ? reject(error) : resolve());
    });
  }

  async disconnect(): Promise<void> {
    this.disconnects += 1;
  }
}

/** A consumer that connects, subscribes and runs at once, and records whether it disconnected. */
export class FakeConsumer extends FakeConsumerBase {
  readonly subscriptions: { topics: string[]; fromBeginning: boolean }[] = [];
  disconnected = false;

  async connect(): Promise<void> {}
  async subscribe(subscription: { topics: string[]; fromBeginning: boolean }): Promise<void> {
    this.subscriptions.push(subscription);
  }
  async run(): Promise<void> {}
  async disconnect(): Promise<void> {
    this.disconnected = true;
  }
}

/** A kafkajs client over `admin` whose consumers are FakeConsumers, kept in `consumers`. */
export function fakeKafka(admin: FakeAdmin): { kafka: Kafka; consumers: FakeConsumer[] } {
  const consumers: FakeConsumer[] = [];
  const kafka = {
    consumer: () => {
      const consumer = new FakeConsumer();
      consumers.push(consumer);
      return consumer;
    },
    admin: () => admin,
  } as unknown as Kafka;
  return { kafka, consumers };
}
