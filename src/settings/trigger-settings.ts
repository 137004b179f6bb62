import {
  TRIGGER_RULES,
  checkSettings,
  groupIdOf,
  heartbeatProblem,
  parseTopicSelection,
  type TopicSelection,
  type KeyFormat,
  type MessageFormat,
  type SettingProblem,
  type CheckedValues,
  type StartFrom,
  type IsolationLevel,
  type TriggerProblemKey,
} from './setting-rules';

/** kafka-trigger properties as they stand in flow JSON (numbers may be numeric strings). */
export interface TriggerConfig {
  topic?: string;
  consumer_group?: string;
  start_from?: string;
  session_timeout?: number | string;
  heartbeat_interval?: number | string;
  delivery?: string;
  max_in_flight?: number | string;
  dead_letter_topic?: string;
  complete_timeout?: number | string;
  transaction_interval?: number | string;
  isolation_level?: string;
  metrics_interval?: number | string;
  message_format?: string;
  key_format?: string;
  output?: string;
  max_batch_size?: number | string;
  max_batch_wait?: number | string;
  topic_refresh_interval?: number | string;
  start_timestamp?: string;
  control?: boolean | string;
}

/** How complete and exactly-once delivery follow a record through the flow. */
export interface TrackedDelivery {
  maxInFlight: number;
  completeTimeout: number;
  deadLetterTopic: string | undefined;
}

/**
 * `handoff` commits a record once it is handed to the flow; `complete` (the default since settings
 * version 2) commits it only once the flow has finished with it, with at most `maxInFlight` unfinished;
 * `exactly-once` tracks records as complete does and commits offsets only inside Kafka transactions,
 * with what kafka-produce nodes wrote for them, every `transactionInterval` ms.
 */
export type Delivery =
  | { mode: 'handoff' }
  | ({ mode: 'complete' } & TrackedDelivery)
  | ({ mode: 'exactly-once'; transactionInterval: number } & TrackedDelivery);

export interface TriggerSettings {
  /** The topic setting as written (trimmed): one topic, a comma-separated list or `/regex/`. */
  topic: string;
  /** What `topic` subscribes to. */
  topics: TopicSelection;
  /** Seconds between listings of the cluster's topics, for a `/regex/` topic. */
  topicRefreshInterval: number;
  groupId: string;
  startFrom: StartFrom;
  sessionTimeout: number;
  heartbeatInterval: number;
  delivery: Delivery;
  isolationLevel: IsolationLevel;
  /** Seconds between metrics messages on the second output; 0 means no metrics output. */
  metricsInterval: number;
  formats: RecordFormats;
  output: OutputShape;
  /** start_from `timestamp`: epoch milliseconds of start_timestamp; else undefined. */
  startTimestamp?: number;
  /** The node has an input that takes control messages (msg.action). */
  control?: boolean;
}

/**
 * One msg per record, or one msg per batch: at most `maxSize` records of one partition in offset
 * order, a partial batch waiting up to `maxWait` ms for more.
 */
export type OutputShape = { kind: 'record' } | { kind: 'batch'; maxSize: number; maxWait: number };

/** How a record's value and key become the trigger data's `message` and `key`. */
export interface RecordFormats {
  message: MessageFormat;
  key: KeyFormat;
}

export type SettingsResult = { settings: TriggerSettings } | { problem: SettingProblem<TriggerProblemKey> };

/** Checks a trigger's settings with their rules, in the modes that read them, and applies the defaults. */
export function resolveTriggerSettings(config: TriggerConfig, nodeId: string): SettingsResult {
  const checked = checkSettings<TriggerProblemKey, typeof TRIGGER_RULES>(TRIGGER_RULES, config);
  if ('problem' in checked) return checked;
  const { values } = checked;
  const heartbeat = heartbeatProblem(values.heartbeat_interval, values.session_timeout);
  if (heartbeat) return { problem: heartbeat };
  const topics = parseTopicSelection(values.topic);
  if ('problem' in topics) return topics;
  return {
    settings: {
      topic: values.topic,
      topics: topics.value,
      // Only a `/regex/` topic reads it.
      topicRefreshInterval:
        values.topic_refresh_interval ?? TRIGGER_RULES.topic_refresh_interval.defaultValue,
      groupId: groupIdOf(config.consumer_group, nodeId),
      startFrom: values.start_from,
      sessionTimeout: values.session_timeout,
      heartbeatInterval: values.heartbeat_interval,
      delivery: deliveryOf(values),
      isolationLevel: values.isolation_level,
      metricsInterval: values.metrics_interval,
      formats: { message: values.message_format, key: values.key_format },
      output:
        values.output === 'batch'
          ? { kind: 'batch', maxSize: values.max_batch_size!, maxWait: values.max_batch_wait! }
          : { kind: 'record' },
      control: values.control,
      ...(values.start_timestamp === undefined ? {} : { startTimestamp: values.start_timestamp }),
    },
  };
}

type CheckedTriggerValues = CheckedValues<typeof TRIGGER_RULES>;

/** The delivery settings of the chosen mode. */
function deliveryOf(values: CheckedTriggerValues): Delivery {
  if (values.delivery === 'handoff') return { mode: 'handoff' };
  const tracked: TrackedDelivery = {
    maxInFlight: values.max_in_flight!,
    completeTimeout: values.complete_timeout!,
    deadLetterTopic: values.dead_letter_topic,
  };
  if (values.delivery === 'complete') return { mode: 'complete', ...tracked };
  return { mode: 'exactly-once', transactionInterval: values.transaction_interval!, ...tracked };
}
