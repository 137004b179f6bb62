import type { Admin } from 'kafkajs';
import { ControlError, type SeekTarget } from './control-message';

/** Where one partition goes: `offset` is the next record to read. */
export interface SeekPosition {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * The positions a seek moves this member's partitions to, looked up with the broker. Only the
 * partitions in `assignment` (what the group gave this member) move: the others belong to other
 * members of the group. Throws a ControlError for a target this member cannot seek to.
 */
export async function seekPositions(
  admin: Pick<Admin, 'fetchTopicOffsets' | 'fetchTopicOffsetsByTimestamp'>,
  target: SeekTarget,
  assignment: Record<string, number[]>,
  topics: string[],
): Promise<SeekPosition[]> {
  if (target.kind === 'offset') return [await offsetPosition(admin, target, assignment, topics)];
  const positions: SeekPosition[] = [];
  for (const [topic, partitions] of Object.entries(assignment)) {
    const offsets =
      target.kind === 'timestamp'
        ? // kafkajs answers a time past the end of a partition with its end: latest.
          await admin.fetchTopicOffsetsByTimestamp(topic, target.timestamp)
        : (await admin.fetchTopicOffsets(topic)).map(({ partition, low, high }) => ({
            partition,
            offset: target.kind === 'earliest' ? low : high,
          }));
    for (const { partition, offset } of offsets) {
      if (partitions.includes(partition)) positions.push({ topic, partition, offset: String(offset) });
    }
  }
  return positions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/** `{partition, offset[, topic]}`: a partition this member owns, an offset from its start to its end. */
async function offsetPosition(
  admin: Pick<Admin, 'fetchTopicOffsets'>,
  target: SeekTarget & { kind: 'offset' },
  assignment: Record<string, number[]>,
  topics: string[],
): Promise<SeekPosition> {
  const { partition, offset } = target;
  if (target.topic === undefined && topics.length > 1)
    throw new ControlError('seek-topic-required', { topics: topics.join(', ') });
  const topic = target.topic ?? topics[0];
  if (!assignment[topic]?.includes(partition)) {
    const owned = Object.entries(assignment)
      .map(([name, partitions]) => `${name} [${partitions.join(', ')}]`)
      .join(', ');
    throw new ControlError('seek-not-owned', { topic, partition, owned: owned || '-' });
  }
  const bounds = (await admin.fetchTopicOffsets(topic)).find((entry) => entry.partition === partition);
  const low = Number(bounds?.low ?? 0);
  const high = Number(bounds?.high ?? 0);
  if (offset < low || offset > high)
    throw new ControlError('seek-offset-out-of-range', { topic, partition, offset, low, high });
  return { topic, partition, offset: String(offset) };
}
