// Moving a consumer group's committed offsets on one topic: the plan (each partition's offset before
// and after, for a confirmation), and the reset itself, refused while the group has members.
import type { Admin } from 'kafkajs';
import { OperationProblem } from './operation-problem';
import type { OffsetResetRequest } from './admin-input';
import { DEFAULT_ADMIN_LIMITS, bounded, timedAdmin, type AdminLimits } from './broker-calls';
import { activeMembers } from './groups';
import { committedOffset } from './lag';
import { offsetsAt, type PartitionOffset } from './topic-offsets';
import { knownTopic } from './topics';

export interface OffsetMove {
  partition: number;
  /** The group's committed offset now; null where it has committed nothing. */
  before: number | null;
  after: number;
}

export interface OffsetResetPlan {
  group: string;
  topic: string;
  /** By partition; with given offsets, only the partitions given. */
  partitions: OffsetMove[];
  truncated: boolean;
}

/**
 * The time a reset gets: kafkajs commits the offsets through a consumer of its own that joins the
 * group, sleeps one fetch wait (5 s) with its partitions paused and leaves, and a broker delays a
 * first member's join by its group.initial.rebalance.delay.ms (3 s by default).
 */
export const RESET_TIMEOUT_MS = 30000;

/** Where a reset would move the group on each partition, without moving it. */
export async function planOffsetReset(
  admin: Admin,
  request: OffsetResetRequest,
  limits: AdminLimits = DEFAULT_ADMIN_LIMITS,
): Promise<OffsetResetPlan> {
  return plan(timedAdmin(admin, limits.timeoutMs), request, limits);
}

/** Commits the plan's offsets for the group; refused while it has members, as Kafka refuses it. */
export async function resetOffsets(
  admin: Admin,
  request: OffsetResetRequest,
  limits: AdminLimits = { ...DEFAULT_ADMIN_LIMITS, timeoutMs: RESET_TIMEOUT_MS },
): Promise<OffsetResetPlan> {
  const calls = timedAdmin(admin, limits.timeoutMs);
  const members = await activeMembers(calls, request.group);
  if (members > 0) throw new OperationProblem('group-active', { group: request.group, members });
  const moves = await plan(calls, request, limits);
  await calls.setOffsets({
    groupId: request.group,
    topic: request.topic,
    partitions: moves.partitions.map(({ partition, after }) => ({ partition, offset: String(after) })),
  });
  return moves;
}

async function plan(
  admin: Admin,
  request: OffsetResetRequest,
  limits: AdminLimits,
): Promise<OffsetResetPlan> {
  const { group, topic, to } = request;
  const [committed, targets] = await Promise.all([
    knownTopic(topic, admin.fetchOffsets({ groupId: group, topics: [topic] })),
    typeof to === 'object' && 'offsets' in to
      ? givenOffsets(admin, topic, to.offsets)
      : offsetsAt(admin, topic, to),
  ]);
  const before = new Map(
    (committed[0]?.partitions ?? []).map(({ partition, offset }) => [partition, committedOffset(offset)]),
  );
  const { items, truncated } = bounded(
    targets.map(({ partition, offset }) => ({
      partition,
      before: before.get(partition) ?? null,
      after: offset,
    })),
    limits.maxItems,
  );
  return { group, topic, partitions: items, truncated };
}

/** The given offsets, each checked against its partition's first and end offset. */
async function givenOffsets(
  admin: Admin,
  topic: string,
  offsets: Record<number, number>,
): Promise<PartitionOffset[]> {
  const bounds = new Map(
    (await knownTopic(topic, admin.fetchTopicOffsets(topic))).map(({ partition, low, high }) => [
      partition,
      { low: Number(low), high: Number(high) },
    ]),
  );
  return Object.entries(offsets).map(([key, offset]) => {
    const partition = Number(key);
    const range = bounds.get(partition);
    if (!range)
      throw new OperationProblem('partition-missing', { topic, partition, partitions: bounds.size });
    if (offset < range.low || offset > range.high)
      throw new OperationProblem('offset-out-of-range', {
        topic,
        partition,
        offset,
        low: range.low,
        high: range.high,
      });
    return { partition, offset };
  });
}
