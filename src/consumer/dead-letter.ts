import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { rootMessage } from '../client/failure';

export const DEAD_LETTER_HEADERS = {
  error: 'x-kafka-trigger-error',
  topic: 'x-kafka-trigger-source-topic',
  partition: 'x-kafka-trigger-source-partition',
  offset: 'x-kafka-trigger-source-offset',
} as const;

/** The original key, value and headers, plus headers naming the error and where the record came from. */
export function deadLetterMessage(
  topic: string,
  partition: number,
  record: KafkaMessage,
  error: unknown,
): Message {
  const headers: IHeaders = {
    ...record.headers,
    [DEAD_LETTER_HEADERS.error]: rootMessage(error),
    [DEAD_LETTER_HEADERS.topic]: topic,
    [DEAD_LETTER_HEADERS.partition]: String(partition),
    [DEAD_LETTER_HEADERS.offset]: record.offset,
  };
  return { key: record.key, value: record.value, headers };
}
