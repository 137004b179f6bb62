// Topics: list, describe, create and delete, each one bounded operation on the broker node's admin client.
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { classifyFailure } from '../client/failure';
import { OperationProblem } from './operation-problem';
import type { CreateTopicRequest } from './admin-input';
import { DEFAULT_ADMIN_LIMITS, bounded, timedAdmin, type AdminLimits } from './broker-calls';

export interface TopicSummary {
  topic: string;
  partitions: number;
}

export interface TopicList {
  /** By name; Kafka's internal topics (`__consumer_offsets`, ...) left out. */
  topics: TopicSummary[];
  truncated: boolean;
}

export interface PartitionDescription {
  partition: number;
  /** The broker id of the partition's leader; -1 while it has none. */
  leader: number;
  replicas: number[];
  /** The in-sync replicas. */
  isr: number[];
}

export interface TopicDescription {
  topic: string;
  partitions: PartitionDescription[];
  /** The topic's own settings (not the broker's defaults); a sensitive one's value is null. */
  config: Record<string, string | null>;
  truncated: boolean;
}

export async function listTopics(
  admin: Admin,
  limits: AdminLimits = DEFAULT_ADMIN_LIMITS,
): Promise<TopicList> {
  const { topics } = await timedAdmin(admin, limits.timeoutMs).fetchTopicMetadata();
  const summaries = topics
    .filter(({ name }) => !name.startsWith('__'))
    .map(({ name, partitions }) => ({ topic: name, partitions: partitions.length }))
    .sort((a, b) => a.topic.localeCompare(b.topic));
  const { items, truncated } = bounded(summaries, limits.maxItems);
  return { topics: items, truncated };
}

export async function describeTopic(
  admin: Admin,
  topic: string,
  limits: AdminLimits = DEFAULT_ADMIN_LIMITS,
): Promise<TopicDescription> {
  const calls = timedAdmin(admin, limits.timeoutMs);
  const [metadata, configs] = await Promise.all([
    knownTopic(topic, calls.fetchTopicMetadata({ topics: [topic] })),
    knownTopic(
      topic,
      calls.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
        includeSynonyms: false,
      }),
    ),
  ]);
  const partitions = (metadata.topics[0]?.partitions ?? [])
    .map(({ partitionId, leader, replicas, isr }) => ({ partition: partitionId, leader, replicas, isr }))
    .sort((a, b) => a.partition - b.partition);
  const config: Record<string, string | null> = {};
  for (const entry of configs.resources[0]?.configEntries ?? []) {
    if (!entry.isDefault) config[entry.configName] = entry.isSensitive ? null : entry.configValue;
  }
  const { items, truncated } = bounded(partitions, limits.maxItems);
  return { topic, partitions: items, config, truncated };
}

/** Creates the topic and answers its description; an existing topic is a problem, not a success. */
export async function createTopic(
  admin: Admin,
  request: CreateTopicRequest,
  limits: AdminLimits = DEFAULT_ADMIN_LIMITS,
): Promise<TopicDescription> {
  const started = Date.now();
  const created = await timedAdmin(admin, limits.timeoutMs).createTopics({
    topics: [
      {
        topic: request.topic,
        numPartitions: request.partitions,
        replicationFactor: request.replicationFactor,
        configEntries: Object.entries(request.config).map(([name, value]) => ({ name, value })),
      },
    ],
    waitForLeaders: true,
    timeout: limits.timeoutMs,
  });
  if (!created) throw new OperationProblem('topic-exists', { topic: request.topic });
  return describeTopic(admin, request.topic, { ...limits, timeoutMs: remaining(started, limits) });
}

export async function deleteTopic(
  admin: Admin,
  topic: string,
  limits: AdminLimits = DEFAULT_ADMIN_LIMITS,
): Promise<{ topic: string; deleted: true }> {
  await knownTopic(
    topic,
    timedAdmin(admin, limits.timeoutMs).deleteTopics({ topics: [topic], timeout: limits.timeoutMs }),
  );
  return { topic, deleted: true };
}

/** The answer of a call about `topic`, with Kafka's "unknown topic" turned into a clear problem. */
export async function knownTopic<T>(topic: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (classifyFailure(error) === 'topic-missing') throw new OperationProblem('topic-missing', { topic });
    throw error;
  }
}

/** What is left of an operation's time after a first part that began at `started`. */
export function remaining(started: number, limits: AdminLimits): number {
  return Math.max(1, limits.timeoutMs - (Date.now() - started));
}
