import { CompressionTypes } from 'kafkajs';
import {
  PRODUCE_RULES,
  checkSettings,
  schemaSubjectOf,
  type Acks,
  type Compression,
  type ProduceMessageFormat,
  type ProduceProblemKey,
  type SettingProblem,
} from './setting-rules';

/** kafka-produce properties as they stand in flow JSON (numbers may be numeric strings). */
export interface ProduceConfig {
  topic?: string;
  key?: string;
  acks?: string;
  idempotent?: boolean | string;
  compression?: string;
  send_timeout?: number | string;
  message_format?: string;
  schema_subject?: string;
}

export interface ProduceSettings {
  /** Undefined: each msg names its topic in `msg.topic`. */
  topic: string | undefined;
  /** Undefined: each msg's `msg.key`, if any. */
  key: string | undefined;
  /** kafkajs's acks: -1 all in-sync replicas, 1 the leader, 0 none. */
  acks: -1 | 1 | 0;
  /** A producer of its own whose retried requests the broker writes once (acks all only). */
  idempotent: boolean;
  compression: Compression;
  kafkajsCompression: CompressionTypes;
  sendTimeout: number;
  messageFormat: ProduceMessageFormat;
  /** With the schema-registry format: the subject whose latest schema encodes a record for `topic`. */
  subjectOf: (topic: string) => string;
}

const KAFKAJS_ACKS: Record<Acks, -1 | 1 | 0> = { all: -1, leader: 1, none: 0 };
const KAFKAJS_COMPRESSION: Record<Compression, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

export type ProduceSettingsResult =
  { settings: ProduceSettings } | { problem: SettingProblem<ProduceProblemKey> };

/** Checks a kafka-produce node's settings with their rules, in the modes that read them, and applies the defaults. */
export function resolveProduceSettings(config: ProduceConfig): ProduceSettingsResult {
  const checked = checkSettings<ProduceProblemKey, typeof PRODUCE_RULES>(PRODUCE_RULES, config);
  if ('problem' in checked) return checked;
  const { values } = checked;
  return {
    settings: {
      topic: values.topic,
      key: values.key,
      acks: KAFKAJS_ACKS[values.acks],
      idempotent: values.idempotent ?? false,
      compression: values.compression,
      kafkajsCompression: KAFKAJS_COMPRESSION[values.compression],
      sendTimeout: values.send_timeout,
      messageFormat: values.message_format,
      subjectOf: (topic) => schemaSubjectOf(values.schema_subject, topic),
    },
  };
}
