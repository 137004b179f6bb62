// The kafka-produce settings: flow JSON name, default, check, and the mode that reads each one.
import {
  choice,
  flag,
  onlyWhen,
  optionalTopic,
  positiveNumber,
  text,
  whenChosen,
  type SettingRule,
} from './common';

/** Every problem a kafka-produce setting can have; the message is `kafka-produce.errors.<key>`. */
export const PRODUCE_PROBLEM_KEYS = [
  'invalid-topic',
  'invalid-acks',
  'invalid-compression',
  'invalid-number',
  'invalid-format',
  'invalid-idempotent',
] as const;
export type ProduceProblemKey = (typeof PRODUCE_PROBLEM_KEYS)[number];

/** How many replicas must have a record before the broker acknowledges it: all in-sync ones, the leader, none. */
export const ACKS = ['all', 'leader', 'none'] as const;
export type Acks = (typeof ACKS)[number];

export const COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** How kafka-produce turns msg.payload into a value: the record rules, or the subject's latest schema. */
export const PRODUCE_MESSAGE_FORMATS = ['auto', 'schema-registry'] as const;
export type ProduceMessageFormat = (typeof PRODUCE_MESSAGE_FORMATS)[number];

const messageFormat = choice('message_format', PRODUCE_MESSAGE_FORMATS, 'invalid-format');
const acks = choice('acks', ACKS, 'invalid-acks');

/** The producer's rules, in the order deploy checks them (it reports the first problem). */
export const PRODUCE_RULES = {
  /** Blank means each msg's `msg.topic`. */
  topic: optionalTopic<ProduceProblemKey>('topic', 'invalid-topic'),
  acks,
  /**
   * true: the node gets a producer of its own whose retried requests the broker writes once. Off by
   * default: kafkajs calls its idempotent producer experimental, and it needs acks from all replicas.
   */
  idempotent: onlyWhen(
    whenChosen('acks', acks, 'all'),
    flag<ProduceProblemKey>('idempotent', 'invalid-idempotent'),
  ),
  compression: choice('compression', COMPRESSIONS, 'invalid-compression'),
  /** Milliseconds from a msg's arrival to the broker's acknowledgement, after which it fails. */
  send_timeout: positiveNumber('send_timeout', 30000, 'invalid-number'),
  message_format: messageFormat,
  /** Blank means each msg's `msg.key`. */
  key: {
    defaultValue: '',
    check: (value: unknown): { value: string | undefined } => ({ value: text(value) || undefined }),
  },
  /** Blank means `<topic>-value`: see schemaSubjectOf(). */
  schema_subject: onlyWhen(whenChosen('message_format', messageFormat, 'schema-registry'), {
    defaultValue: '',
    check: (value: unknown): { value: string | undefined } => ({ value: text(value).trim() || undefined }),
  }),
} satisfies Record<string, SettingRule<unknown, ProduceProblemKey>>;

/** The subject whose latest schema encodes a record for `topic`: the setting, or the Confluent serializers' `<topic>-value`. */
export function schemaSubjectOf(schemaSubject: string | undefined, topic: string): string {
  return schemaSubject ?? `${topic}-value`;
}
