// A topic's offsets per partition: its first, its end, or the first record at or after a time.
import type { Admin } from 'kafkajs';
import type { OffsetPosition, TopicOffsetsRequest } from './admin-input';
import { DEFAULT_ADMIN_LIMITS, bounded, timedAdmin, type AdminLimits } from './broker-calls';
import { knownTopic } from './topics';

export interface PartitionOffset {
  partition: number;
  offset: number;
}

export interface TopicOffsets {
  topic: string;
  /** 'earliest', 'latest', or the time asked for (ms since 1970). */
  at: 'earliest' | 'latest' | number;
  /** By partition. At a time after a partition's last record, its end offset. */
  partitions: PartitionOffset[];
  truncated: boolean;
}

export async function topicOffsets(
  admin: Admin,
  request: TopicOffsetsRequest,
  limits: AdminLimits = DEFAULT_ADMIN_LIMITS,
): Promise<TopicOffsets> {
  const offsets = await offsetsAt(timedAdmin(admin, limits.timeoutMs), request.topic, request.at);
  const { items, truncated } = bounded(offsets, limits.maxItems);
  const at = typeof request.at === 'string' ? request.at : request.at.timestamp;
  return { topic: request.topic, at, partitions: items, truncated };
}

/** Every partition's offset at `position`, by partition; `admin` is already timed. */
export async function offsetsAt(
  admin: Admin,
  topic: string,
  position: OffsetPosition,
): Promise<PartitionOffset[]> {
  const offsets =
    typeof position === 'string'
      ? (await knownTopic(topic, admin.fetchTopicOffsets(topic))).map(({ partition, low, high }) => ({
          partition,
          offset: Number(position === 'earliest' ? low : high),
        }))
      : // kafkajs answers a time past a partition's last record with the partition's end.
        (await knownTopic(topic, admin.fetchTopicOffsetsByTimestamp(topic, position.timestamp))).map(
          ({ partition, offset }) => ({ partition, offset: Number(offset) }),
        );
  return offsets.sort((a, b) => a.partition - b.partition);
}
