import type { Message, RecordMetadata, TopicMessages } from 'kafkajs';
import type { OutgoingRecord } from './produce-record';
import type { WrittenRecord } from './writer-types';

/** One produce request's records, grouped by topic in the order they came. */
export function topicMessagesOf(records: OutgoingRecord[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const { topic, message } of records) {
    const messages = byTopic.get(topic);
    if (messages) messages.push(message);
    else byTopic.set(topic, [message]);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/**
 * Where each record of an answered request went: each partition's records got consecutive offsets
 * from its base offset, in request order. `offset` is null where the broker gave none (acks none).
 */
export function writtenRecords(
  records: OutgoingRecord[],
  answer: RecordMetadata[],
  partitionOf: (message: Message) => number | undefined,
): WrittenRecord[] {
  const next = new Map<string, Map<number, number>>();
  for (const { topicName, partition, baseOffset } of answer) {
    if (baseOffset === undefined) continue;
    const partitions = next.get(topicName) ?? new Map<number, number>();
    partitions.set(partition, Number(baseOffset));
    next.set(topicName, partitions);
  }
  return records.map(({ topic, message }) => {
    const partition = partitionOf(message) ?? -1;
    const partitions = next.get(topic);
    const offset = partitions?.get(partition);
    if (offset !== undefined) partitions!.set(partition, offset + 1);
    return { topic, partition, offset: offset ?? null };
  });
}
