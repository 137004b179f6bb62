import {
  TRIGGER_RULES,
  defaultGroupId,
  heartbeatProblem,
  parseTopicSelection,
  type TopicSelection,
  type KeyFormat,
  type MessageFormat,
  type SettingProblem,
  type StartFrom,
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

/**
 * `handoff` commits a record once it is handed to the flow (the default); `complete` commits it
 * only once the flow has finished with it, with at most `maxInFlight` unfinished.
 */
export type Delivery =
  | { mode: 'handoff' }
  | { mode: 'complete'; maxInFlight: number; completeTimeout: number; deadLetterTopic: string | undefined };

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

type Failed = { problem: SettingProblem<TriggerProblemKey> };

/** Checks a trigger's settings with their rules and applies the defaults. */
export function resolveTriggerSettings(config: TriggerConfig, nodeId: string): SettingsResult {
  const topic = TRIGGER_RULES.topic.check(config.topic);
  if ('problem' in topic) return topic;
  const topics = parseTopicSelection(topic.value);
  if ('problem' in topics) return topics;
  const topicRefreshInterval = TRIGGER_RULES.topic_refresh_interval.check(config.topic_refresh_interval);
  if ('problem' in topicRefreshInterval) return topicRefreshInterval;
  const startFrom = TRIGGER_RULES.start_from.check(config.start_from);
  if ('problem' in startFrom) return startFrom;
  const sessionTimeout = TRIGGER_RULES.session_timeout.check(config.session_timeout);
  if ('problem' in sessionTimeout) return sessionTimeout;
  const heartbeatInterval = TRIGGER_RULES.heartbeat_interval.check(config.heartbeat_interval);
  if ('problem' in heartbeatInterval) return heartbeatInterval;
  const heartbeat = heartbeatProblem(heartbeatInterval.value, sessionTimeout.value);
  if (heartbeat) return { problem: heartbeat };
  const delivery = resolveDelivery(config);
  if ('problem' in delivery) return delivery;
  const metricsInterval = TRIGGER_RULES.metrics_interval.check(config.metrics_interval);
  if ('problem' in metricsInterval) return metricsInterval;
  const messageFormat = TRIGGER_RULES.message_format.check(config.message_format);
  if ('problem' in messageFormat) return messageFormat;
  const keyFormat = TRIGGER_RULES.key_format.check(config.key_format);
  if ('problem' in keyFormat) return keyFormat;
  const output = resolveOutput(config);
  if ('problem' in output) return output;
  const group = TRIGGER_RULES.consumer_group.check(config.consumer_group);
  const replay = resolveReplay(config, startFrom.value);
  if ('problem' in replay) return replay;
  return {
    settings: {
      topic: topic.value,
      topics: topics.value,
      topicRefreshInterval: topicRefreshInterval.value,
      groupId: group.value || defaultGroupId(nodeId),
      startFrom: startFrom.value,
      sessionTimeout: sessionTimeout.value,
      heartbeatInterval: heartbeatInterval.value,
      delivery: delivery.delivery,
      metricsInterval: metricsInterval.value,
      formats: { message: messageFormat.value, key: keyFormat.value },
      output: output.output,
      ...replay.replay,
    },
  };
}

/** Control messages and replay: start_timestamp is only read, and only checked, with start_from `timestamp`. */
function resolveReplay(
  config: TriggerConfig,
  startFrom: string,
): { replay: Pick<TriggerSettings, 'startTimestamp' | 'control'> } | Failed {
  const control = TRIGGER_RULES.control.check(config.control);
  if ('problem' in control) return control;
  if (startFrom !== 'timestamp') return { replay: { control: control.value } };
  const startTimestamp = TRIGGER_RULES.start_timestamp.check(config.start_timestamp);
  if ('problem' in startTimestamp) return startTimestamp;
  return { replay: { control: control.value, startTimestamp: startTimestamp.value } };
}

/** The flow-controlled settings are only read, and only checked, in that mode. */
function resolveDelivery(config: TriggerConfig): { delivery: Delivery } | Failed {
  const mode = TRIGGER_RULES.delivery.check(config.delivery);
  if ('problem' in mode) return mode;
  if (mode.value === 'handoff') return { delivery: { mode: 'handoff' } };
  const maxInFlight = TRIGGER_RULES.max_in_flight.check(config.max_in_flight);
  if ('problem' in maxInFlight) return maxInFlight;
  const completeTimeout = TRIGGER_RULES.complete_timeout.check(config.complete_timeout);
  if ('problem' in completeTimeout) return completeTimeout;
  const deadLetterTopic = TRIGGER_RULES.dead_letter_topic.check(config.dead_letter_topic);
  if ('problem' in deadLetterTopic) return deadLetterTopic;
  return {
    delivery: {
      mode: 'complete',
      maxInFlight: maxInFlight.value,
      completeTimeout: completeTimeout.value,
      deadLetterTopic: deadLetterTopic.value,
    },
  };
}

/** The batch settings are only read, and only checked, in batch output. */
function resolveOutput(config: TriggerConfig): { output: OutputShape } | Failed {
  const kind = TRIGGER_RULES.output.check(config.output);
  if ('problem' in kind) return kind;
  if (kind.value === 'record') return { output: { kind: 'record' } };
  const maxSize = TRIGGER_RULES.max_batch_size.check(config.max_batch_size);
  if ('problem' in maxSize) return maxSize;
  const maxWait = TRIGGER_RULES.max_batch_wait.check(config.max_batch_wait);
  if ('problem' in maxWait) return maxWait;
  return { output: { kind: 'batch', maxSize: maxSize.value, maxWait: maxWait.value } };
}
