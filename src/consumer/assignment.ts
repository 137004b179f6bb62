/**
 * The partitions a consumer-group member owns, by topic (kafkajs's GROUP_JOIN `memberAssignment`).
 * A trigger subscribed to several topics owns partitions of each.
 */
export type MemberAssignment = Readonly<Record<string, readonly number[]>>;

/** How many partitions the assignment holds, over all its topics. */
export function partitionCount(assignment: MemberAssignment): number {
  let count = 0;
  for (const partitions of Object.values(assignment)) count += partitions.length;
  return count;
}

/** Whether the assignment holds the partition of the topic. */
export function isAssigned(assignment: MemberAssignment, topic: string, partition: number): boolean {
  return assignment[topic]?.includes(partition) ?? false;
}

/** The assignment keeping only the topics of `topics` (the rest are not this trigger's). */
export function assignmentOf(assignment: MemberAssignment, topics: readonly string[]): MemberAssignment {
  return Object.fromEntries(
    Object.entries(assignment).filter(
      ([topic, partitions]) => topics.includes(topic) && partitions.length > 0,
    ),
  );
}
