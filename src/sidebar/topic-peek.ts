// A topic's newest records (or those from a time on), read without a consumer group: a Fetch on
// each partition's leader through a kafkajs cluster of the broker node's client, the way kafkajs's
// consumers fetch, but with no group to join and no offset to commit. kafkajs has no group-less
// consumer; its cluster is reached through the client's private factory, found by its symbol.
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { beforeDeadline, type AdminLimits } from '../admin/broker-calls';
import { offsetsAt } from '../admin/topic-offsets';
import { knownTopic } from '../admin/topics';
import { RecordDecoder } from '../formats/record-decoder';
import type { SchemaRegistryClient } from '../formats/schema-registry';
import type { PeekedRecord } from './peeked-record';

export const DEFAULT_PEEK_COUNT = 20;
export const MAX_PEEK_COUNT = 100;
/** The bytes one partition's Fetch may answer: the records shown stay small. */
const FETCH_MAX_BYTES = 1024 * 1024;
/** Kafka's isolation level read_committed: no record of an aborted transaction. */
const READ_COMMITTED = 1;

export type PeekFormat = 'auto' | 'text' | 'hex' | 'schema-registry';

export interface PeekRequest {
  topic: string;
  count: number;
  format: PeekFormat;
  /** From this time (ms since 1970) on, else the newest. */
  from?: number;
}

interface FetchAnswer {
  responses: { partitions: { partition: number; messages: KafkaMessage[] }[] }[];
}
interface PartitionLeader {
  fetch(request: object): Promise<FetchAnswer>;
}
interface Cluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(broker: { nodeId: string }): Promise<PartitionLeader>;
}
type CreateCluster = (options: { allowAutoTopicCreation: boolean; isolationLevel: number }) => Cluster;

export async function peekTopic(
  admin: Admin,
  kafka: Kafka,
  registry: SchemaRegistryClient | undefined,
  request: PeekRequest,
  limits: AdminLimits,
): Promise<{ topic: string; records: PeekedRecord[] }> {
  const deadline = Date.now() + limits.timeoutMs;
  const { topic, count } = request;
  const [ends, starts] = await Promise.all([
    offsetsAt(admin, topic, 'latest'),
    offsetsAt(admin, topic, request.from === undefined ? 'earliest' : { timestamp: request.from }),
  ]);
  const first = new Map(starts.map(({ partition, offset }) => [partition, offset]));
  const from = ends.slice(0, limits.maxItems).map(({ partition, offset: end }) => ({
    partition,
    end,
    offset:
      request.from === undefined
        ? Math.max(first.get(partition) ?? 0, end - count)
        : (first.get(partition) ?? end),
  }));
  const wanted = from.filter(({ offset, end }) => offset < end);
  const fetched = wanted.length === 0 ? [] : await fetchFrom(kafka, topic, wanted, deadline, limits);
  const chosen = fetched
    .sort((a, b) =>
      request.from === undefined
        ? Number(b.record.timestamp) - Number(a.record.timestamp)
        : Number(a.record.timestamp) - Number(b.record.timestamp),
    )
    .slice(0, count);
  const decoder = new RecordDecoder(
    { message: request.format === 'hex' ? 'buffer' : request.format, key: 'text' },
    registry,
  );
  await beforeDeadline(
    decoder.prepare(chosen.map(({ record }) => record)).catch(() => undefined),
    deadline,
    'schema-registry',
    limits.timeoutMs,
  );
  return {
    topic,
    records: chosen.map(({ partition, record }) => shown(decoder, topic, partition, record, request.format)),
  };
}

async function fetchFrom(
  kafka: Kafka,
  topic: string,
  positions: { partition: number; offset: number; end: number }[],
  deadline: number,
  limits: AdminLimits,
): Promise<{ partition: number; record: KafkaMessage }[]> {
  const cluster = createCluster(kafka)({ allowAutoTopicCreation: false, isolationLevel: READ_COMMITTED });
  const timed = <T>(call: Promise<T>, name: string): Promise<T> =>
    beforeDeadline(call, deadline, name, limits.timeoutMs);
  try {
    await timed(cluster.connect(), 'connect');
    await timed(knownTopic(topic, cluster.addTargetTopic(topic)), 'metadata');
    const byPartition = new Map(positions.map((position) => [position.partition, position]));
    const leaders = cluster.findLeaderForPartitions(topic, [...byPartition.keys()]);
    const answers = await Promise.all(
      Object.entries(leaders).map(async ([nodeId, partitions]) => {
        const leader = await timed(cluster.findBroker({ nodeId }), 'connect');
        return timed(
          leader.fetch({
            replicaId: -1,
            isolationLevel: READ_COMMITTED,
            maxWaitTime: 0,
            minBytes: 1,
            maxBytes: FETCH_MAX_BYTES,
            topics: [
              {
                topic,
                partitions: partitions.map((partition) => ({
                  partition,
                  fetchOffset: String(byPartition.get(partition)?.offset ?? 0),
                  maxBytes: FETCH_MAX_BYTES,
                })),
              },
            ],
          }),
          'fetch',
        );
      }),
    );
    return answers.flatMap(({ responses }) =>
      responses.flatMap(({ partitions }) =>
        partitions.flatMap(({ partition, messages }) => {
          const position = byPartition.get(partition);
          return messages
            .filter(
              ({ offset }) => position && Number(offset) >= position.offset && Number(offset) < position.end,
            )
            .map((record) => ({ partition, record }));
        }),
      ),
    );
  } finally {
    await cluster.disconnect().catch(() => undefined);
  }
}

function createCluster(kafka: Kafka): CreateCluster {
  const factory = Object.getOwnPropertySymbols(kafka).find(
    (symbol) => symbol.description === 'private:Kafka:createCluster',
  );
  const create = factory ? (kafka as unknown as Record<symbol, unknown>)[factory] : undefined;
  if (typeof create !== 'function')
    throw new Error('this kafkajs version has no cluster factory to peek with');
  return create as CreateCluster;
}

function shown(
  decoder: RecordDecoder,
  topic: string,
  partition: number,
  record: KafkaMessage,
  format: PeekFormat,
): PeekedRecord {
  const base = { partition, offset: Number(record.offset), timestamp: Number(record.timestamp) };
  try {
    const data = decoder.triggerData(topic, partition, record, '');
    const value =
      format === 'hex' && Buffer.isBuffer(data.message) ? data.message.toString('hex') : data.message;
    return { ...base, key: data.key as string | null, headers: data.headers, value };
  } catch (error) {
    return {
      ...base,
      key: record.key?.toString('utf8') ?? null,
      headers: {},
      value: record.value?.toString('hex') ?? null,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}
