import type { Admin } from 'kafkajs';

/** The group's committed offset of the partition (the next to read), or undefined when there is none. */
export async function committedOffset(
  admin: Admin,
  groupId: string,
  topic: string,
  partition: number,
): Promise<string | undefined> {
  const [topicOffsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const offset = topicOffsets?.partitions.find((entry) => entry.partition === partition)?.offset;
  return offset === undefined || Number(offset) < 0 ? undefined : offset;
}
