import type { Consumer } from 'kafkajs';
import type { MemberAssignment } from './assignment';
import { PartitionHold } from './partition-hold';

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/** The assignment's topics that hold partitions, as kafkajs's pause() and resume() take them. */
export function topicPartitions(assignment: Record<string, number[]>): TopicPartitions[] {
  return Object.entries(assignment)
    .filter(([, partitions]) => partitions.length > 0)
    .map(([topic, partitions]) => ({ topic, partitions }));
}

/**
 * This member's partitions and what keeps them from the flow. The one record of a pause is the
 * hold's `allHeld` (the deliveries read it); the kafkajs consumer's own pause follows it, applied
 * again to each new assignment. The assignment is kept here only, across session replacements.
 */
export class PartitionControl {
  readonly hold = new PartitionHold();
  private owned: Record<string, number[]> = {};

  get paused(): boolean {
    return this.hold.allHeld;
  }

  get assignment(): Readonly<Record<string, number[]>> {
    return this.owned;
  }

  get hasPartitions(): boolean {
    return Object.keys(this.owned).length > 0;
  }

  /** Pauses (or resumes) every partition, in the flow and in `consumer`'s fetching. */
  setPaused(consumer: Consumer | undefined, paused: boolean): void {
    this.hold.holdAll(paused);
    this.fetching(consumer, topicPartitions(this.owned), !paused);
  }

  /** A join: the new assignment, with a pause applied again to it. */
  assigned(consumer: Consumer, assignment: MemberAssignment): void {
    this.owned = Object.fromEntries(
      Object.entries(assignment)
        .filter(([, partitions]) => partitions.length > 0)
        .map(([topic, partitions]) => [topic, [...partitions]]),
    );
    if (this.paused) this.fetching(consumer, topicPartitions(this.owned), false);
  }

  /** A new session, or a stop: no partitions until the next join. */
  unassigned(): void {
    this.owned = {};
  }

  /** Holds these partitions back from the flow and from `consumer`'s fetching (a seek, a start look-up). */
  holdBack(consumer: Consumer, held: TopicPartitions[]): void {
    for (const { topic, partitions } of held)
      for (const partition of partitions) this.hold.hold(topic, partition);
    this.fetching(consumer, held, false);
  }

  /** Ends a holdBack(); fetching resumes unless paused, or `consumer`'s session is over. */
  release(consumer: Consumer | undefined, held: TopicPartitions[]): void {
    for (const { topic, partitions } of held)
      for (const partition of partitions) this.hold.release(topic, partition);
    if (!this.paused) this.fetching(consumer, held, true);
  }

  /** Pauses or resumes `consumer`'s fetching of these partitions (the group membership stays). */
  private fetching(consumer: Consumer | undefined, held: TopicPartitions[], on: boolean): void {
    if (!consumer || held.length === 0) return;
    try {
      if (on) consumer.resume(held);
      else consumer.pause(held);
    } catch {
      // Not running yet: the join applies a pause again (see assigned()).
    }
  }
}
