import type { Admin } from 'kafkajs';
import { ControlError, type SeekTarget } from './control-message';
import type { Session } from './lifecycle';
import { topicPartitions, type PartitionControl } from './partition-control';
import { seekPositions, type SeekPosition } from './seek-positions';

export interface SeekContext {
  admin: () => Promise<Admin>;
  control: PartitionControl;
  /** The session consuming now; undefined while connecting, backing off or resubscribing. */
  session: Session | undefined;
  /** Whether `session` is still the one the trigger runs. */
  isCurrent: (session: Session) => boolean;
  /** How long to wait for a partition's records still in the flow before giving up (seek-busy). */
  settleMs: number;
}

/**
 * Moves this member's partitions (or the one named) to the target and carries on from there. The
 * partitions are held first; in complete delivery their records still in the flow are waited for,
 * finished and committed as usual (never committed unfinished); then the new position is committed,
 * so that it survives a restart or a rebalance. Rejects with a ControlError when it cannot.
 */
export async function seek(target: SeekTarget, context: SeekContext): Promise<void> {
  const { control, session, isCurrent } = context;
  if (!session || !control.hasPartitions) throw new ControlError('seek-no-partitions');
  const { consumer, delivery } = session;
  const topics = [...new Set([...session.topics, ...Object.keys(control.assignment)])];
  let positions: SeekPosition[];
  try {
    positions = await seekPositions(await context.admin(), target, { ...control.assignment }, topics);
  } catch (error) {
    if (error instanceof ControlError) throw error;
    throw new ControlError('seek-failed', { error: error instanceof Error ? error.message : String(error) });
  }
  if (!isCurrent(session)) throw new ControlError('seek-no-partitions');
  const moved = topicPartitions(byTopic(positions));
  control.holdBack(consumer, moved);
  try {
    for (const { topic, partition } of positions) {
      if (!(await delivery.settle(topic, partition, context.settleMs)))
        throw new ControlError('seek-busy', { topic, partition });
    }
    if (!isCurrent(session)) throw new ControlError('seek-no-partitions');
    for (const { topic, partition, offset } of positions) {
      consumer.seek({ topic, partition, offset });
      delivery.moveTo(topic, partition, offset);
    }
  } finally {
    control.release(isCurrent(session) ? consumer : undefined, moved);
  }
}

function byTopic(positions: SeekPosition[]): Record<string, number[]> {
  const grouped: Record<string, number[]> = {};
  for (const { topic, partition } of positions) (grouped[topic] ??= []).push(partition);
  return grouped;
}
