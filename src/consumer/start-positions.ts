import type { Admin } from 'kafkajs';
import type { TriggerSettings } from '../settings/trigger-settings';
import type { Session } from './lifecycle';
import { topicPartitions, type PartitionControl } from './partition-control';

interface PartitionOffset {
  partition: number;
  offset: string;
}

/** The partitions whose start a trigger looks up itself, and how it looks up a topic's starts. */
export interface FreshStart {
  assignment: Record<string, number[]>;
  offsets: (admin: Admin, topic: string) => Promise<PartitionOffset[]>;
}

/**
 * Where partitions without a committed offset start, when this trigger looks it up itself:
 * `timestamp`, the first record at or after start_timestamp (latest when there is none);
 * `newest`, the partition's end now, for the topics the trigger started with (those matched
 * later are read from their first record, see Subscription.groups). `earliest` is left to kafkajs:
 * looking it up again after a restart loses nothing.
 */
export function freshStart(
  settings: TriggerSettings,
  assignment: Readonly<Record<string, number[]>>,
  topicsAtStart: readonly string[],
): FreshStart | undefined {
  const { startTimestamp, startFrom } = settings;
  if (startTimestamp !== undefined)
    return {
      assignment: { ...assignment },
      offsets: (admin, topic) => admin.fetchTopicOffsetsByTimestamp(topic, startTimestamp),
    };
  if (startFrom !== 'newest') return undefined;
  return {
    assignment: Object.fromEntries(
      Object.entries(assignment).filter(([topic]) => topicsAtStart.includes(topic)),
    ),
    offsets: async (admin, topic) =>
      (await admin.fetchTopicOffsets(topic)).map(({ partition, offset }) => ({ partition, offset })),
  };
}

export interface StartContext {
  admin: () => Promise<Admin>;
  groupId: string;
  control: PartitionControl;
  /** Whether `session` is still the one the trigger runs. */
  isCurrent: (session: Session) => boolean;
}

/**
 * Moves partitions the group has no committed offset for to their looked-up start and commits it
 * at once. Without the commit, a trigger closed before its first commit (a redeploy) would leave
 * the group without a position, and the next one would look up "newest" again, skipping what was
 * produced in between. The partitions are held until then, so no record before the start reaches
 * the flow. Rejects when a look-up fails (the caller treats that as a session failure).
 */
export async function startFreshPartitions(
  session: Session,
  start: FreshStart,
  { admin: adminClient, groupId, control, isCurrent }: StartContext,
): Promise<void> {
  const held = topicPartitions(start.assignment);
  if (held.length === 0) return;
  control.holdBack(session.consumer, held);
  session.startLookUps += 1;
  try {
    const admin = await adminClient();
    const committed = await admin.fetchOffsets({ groupId, topics: held.map(({ topic }) => topic) });
    for (const { topic, partitions } of held) {
      const topicOffsets = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
      const fresh = partitions.filter(
        (partition) => Number(topicOffsets.find((entry) => entry.partition === partition)?.offset ?? -1) < 0,
      );
      if (fresh.length === 0) continue;
      const starts = await start.offsets(admin, topic);
      if (!isCurrent(session)) return;
      for (const { partition, offset } of starts) {
        // A rebalance during the look-up may have moved the partition to another member.
        if (!fresh.includes(partition) || !control.assignment[topic]?.includes(partition)) continue;
        session.consumer.seek({ topic, partition, offset });
        session.delivery.moveTo(topic, partition, offset);
      }
    }
  } finally {
    session.startLookUps -= 1;
    control.release(isCurrent(session) ? session.consumer : undefined, held);
  }
}
