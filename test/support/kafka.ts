import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type IHeaders, type Producer } from 'kafkajs';
import { createTopic } from '../../scripts/kafka/local-kafka';
import { sharedBroker } from './shared-broker';
import { waitFor } from './wait';

export interface TestRecord {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: IHeaders;
  partition?: number;
}

/** A topic name no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function testKafka(broker: { bootstrap: string } = sharedBroker()): Kafka {
  return new Kafka({
    brokers: [broker.bootstrap],
    clientId: 'test-client',
    logLevel: logLevel.NOTHING,
  });
}

export async function newTopic(prefix: string, partitions = 1): Promise<string> {
  const topic = uniqueName(prefix);
  await createTopic(sharedBroker(), topic, partitions);
  return topic;
}

/** Writes records with a plain kafkajs producer and waits for the broker's acknowledgement. */
export async function produce(topic: string, records: TestRecord[], broker = sharedBroker()): Promise<void> {
  const producer: Producer = testKafka(broker).producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: records });
  } finally {
    await producer.disconnect();
  }
}

export interface GroupView {
  state: string;
  members: number;
  committed: Record<number, number>;
}

/** `count` records on each of partitions 0..partitions-1, JSON string values `<prefix>-<partition>-<n>`, n-major. */
export function recordsOnEachPartition(
  prefix: string,
  count: number,
  partitions: number,
): { value: string; partition: number }[] {
  const all: { value: string; partition: number }[] = [];
  for (let n = 0; n < count; n += 1)
    for (let partition = 0; partition < partitions; partition += 1)
      all.push({ value: JSON.stringify(`${prefix}-${partition}-${n}`), partition });
  return all;
}

/** The group's state, member count and committed offsets on one topic, as the broker sees them. */
export async function describeGroup(groupId: string, topic: string): Promise<GroupView> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed: Record<number, number> = {};
    for (const { partition, offset } of offsets?.partitions ?? []) committed[partition] = Number(offset);
    return { state: groups[0]?.state ?? 'Unknown', members: groups[0]?.members.length ?? 0, committed };
  } finally {
    await admin.disconnect();
  }
}

export interface ReadRecord {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** The first `count` records of the topic, read by a plain kafkajs consumer in a group of its own. */
export async function readRecords(topic: string, count: number, timeoutMs = 30000): Promise<ReadRecord[]> {
  const consumer = testKafka().consumer({ groupId: uniqueName('reader') });
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        records.push({
          partition,
          offset: Number(message.offset),
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
        });
      },
    });
    await waitFor(() => records.length >= count, timeoutMs, `${count} records on ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
