import { CompressionTypes } from 'kafkajs';
import {
  PRODUCE_RULES,
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
  compression: Compression;
  kafkajsCompression: CompressionTypes;
  sendTimeout: number;
  messageFormat: ProduceMessageFormat;
  /** With the schema-registry format; undefined: `<topic>-value` of each record's topic. */
  schemaSubject: string | undefined;
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

/** Checks a kafka-produce node's settings with their rules and applies the defaults. */
export function resolveProduceSettings(config: ProduceConfig): ProduceSettingsResult {
  const topic = PRODUCE_RULES.topic.check(config.topic);
  if ('problem' in topic) return topic;
  const acks = PRODUCE_RULES.acks.check(config.acks);
  if ('problem' in acks) return acks;
  const compression = PRODUCE_RULES.compression.check(config.compression);
  if ('problem' in compression) return compression;
  const sendTimeout = PRODUCE_RULES.send_timeout.check(config.send_timeout);
  if ('problem' in sendTimeout) return sendTimeout;
  const messageFormat = PRODUCE_RULES.message_format.check(config.message_format);
  if ('problem' in messageFormat) return messageFormat;
  return {
    settings: {
      topic: topic.value,
      key: PRODUCE_RULES.key.check(config.key).value,
      acks: KAFKAJS_ACKS[acks.value],
      compression: compression.value,
      kafkajsCompression: KAFKAJS_COMPRESSION[compression.value],
      sendTimeout: sendTimeout.value,
      messageFormat: messageFormat.value,
      schemaSubject: PRODUCE_RULES.schema_subject.check(config.schema_subject).value,
    },
  };
}
