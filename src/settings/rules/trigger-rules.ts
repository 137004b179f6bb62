// The kafka-trigger settings: flow JSON name, default, check, and the mode that reads each one.
import {
  choice,
  flag,
  onlyWhen,
  positiveNumber,
  optionalTopic,
  problem,
  text,
  wholeNumber,
  whenChosen,
  type Checked,
  type SettingMode,
  type SettingProblem,
  type SettingRule,
} from './common';
import { isTopicPattern, parseTopicSelection } from './topic-selection';

/** Every problem a trigger setting can have; the message is `kafka-trigger.errors.<key>`. */
export const TRIGGER_PROBLEM_KEYS = [
  'missing-topic',
  'invalid-topic',
  'invalid-start-from',
  'invalid-number',
  'heartbeat-not-below-session',
  'invalid-delivery',
  'invalid-count',
  'invalid-format',
  'invalid-output',
  'invalid-whole-number',
  // Topic lists and patterns.
  'empty-topic-in-list',
  'invalid-topic-in-list',
  'invalid-topic-pattern',
  'invalid-refresh-interval',
  'invalid-start-timestamp',
  'invalid-control',
  'invalid-isolation-level',
] as const;
export type TriggerProblemKey = (typeof TRIGGER_PROBLEM_KEYS)[number];

/**
 * The generated group id is this prefix and the node id. It can never change: a group's committed
 * offsets are stored under its id, so another prefix would restart every such trigger from scratch.
 */
export const GROUP_ID_PREFIX = 'operion-triggers-';

export function defaultGroupId(nodeId: string): string {
  return GROUP_ID_PREFIX + nodeId;
}

export const START_FROM = ['newest', 'earliest', 'timestamp'] as const;
export type StartFrom = (typeof START_FROM)[number];

/** One msg per record (the contract), or one msg per fetched batch of a partition. */
export const OUTPUTS = ['record', 'batch'] as const;
export type Output = (typeof OUTPUTS)[number];

export const DELIVERY_MODES = ['handoff', 'complete', 'exactly-once'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

/** Which records a consumer reads: only those of committed transactions (the default), or all. */
export const ISOLATION_LEVELS = ['read_committed', 'read_uncommitted'] as const;
export type IsolationLevel = (typeof ISOLATION_LEVELS)[number];

/**
 * How a trigger turns a record's value into `message`: the trigger-data rule (JSON when it parses),
 * UTF-8 text, the bytes untouched, or decoded with the schema its Confluent wire-format header names.
 */
export const MESSAGE_FORMATS = ['auto', 'text', 'buffer', 'schema-registry'] as const;
export type MessageFormat = (typeof MESSAGE_FORMATS)[number];

/** How a trigger turns a record's key into `key`; `text` is the trigger-data rule. */
export const KEY_FORMATS = ['text', 'buffer', 'schema-registry'] as const;
export type KeyFormat = (typeof KEY_FORMATS)[number];

const startFrom = choice('start_from', START_FROM, 'invalid-start-from');
/**
 * Complete since settings version 2 ("lossless by default"); a node written before then without a
 * delivery is pinned to handoff by its migration (see migrations.ts).
 */
const delivery = choice('delivery', DELIVERY_MODES, 'invalid-delivery', 'complete');
const output = choice('output', OUTPUTS, 'invalid-output');

/** A `/regex/` topic. */
const PATTERN_TOPIC: SettingMode = {
  setting: 'topic',
  matches: (value) => isTopicPattern(text(value).trim()),
};
/** Delivery after the flow completes (exactly-once too): the settings of complete delivery. */
const COMPLETE_DELIVERY = whenChosen('delivery', delivery, 'complete', 'exactly-once');
const EXACTLY_ONCE_DELIVERY = whenChosen('delivery', delivery, 'exactly-once');
const BATCH_OUTPUT = whenChosen('output', output, 'batch');
const FROM_TIMESTAMP = whenChosen('start_from', startFrom, 'timestamp');

/** The trigger's rules, in the order deploy checks them (it reports the first problem). */
export const TRIGGER_RULES = {
  /** One topic, a comma-separated list, or `/regex/`: see parseTopicSelection(). */
  topic: {
    defaultValue: '',
    check(value: unknown): Checked<string, TriggerProblemKey> {
      const topic = text(value).trim();
      if (!topic) return problem('missing-topic', 'topic');
      const selection = parseTopicSelection(topic);
      return 'problem' in selection ? selection : { value: topic };
    },
  },
  /** Seconds between two listings of the cluster's topics for a `/regex/` topic. */
  topic_refresh_interval: onlyWhen(PATTERN_TOPIC, {
    defaultValue: 60,
    check(value: unknown): Checked<number, TriggerProblemKey> {
      const seconds = text(value).trim();
      if (seconds === '') return { value: 60 };
      const parsed = Number(seconds);
      if (Number.isFinite(parsed) && parsed > 0) return { value: parsed };
      return problem('invalid-refresh-interval', 'topic_refresh_interval', { value: seconds });
    },
  }),
  start_from: startFrom,
  session_timeout: positiveNumber('session_timeout', 10000, 'invalid-number'),
  /** Must also be lower than the session timeout: see heartbeatProblem(). */
  heartbeat_interval: positiveNumber('heartbeat_interval', 3000, 'invalid-number'),
  delivery,
  max_in_flight: onlyWhen(COMPLETE_DELIVERY, positiveNumber('max_in_flight', 100, 'invalid-count')),
  complete_timeout: onlyWhen(COMPLETE_DELIVERY, positiveNumber('complete_timeout', 60000, 'invalid-number')),
  /** Blank means failed records are only logged. */
  dead_letter_topic: onlyWhen(
    COMPLETE_DELIVERY,
    optionalTopic<TriggerProblemKey>('dead_letter_topic', 'invalid-topic'),
  ),
  /** Milliseconds an open transaction of exactly-once delivery runs before it commits. */
  transaction_interval: onlyWhen(
    EXACTLY_ONCE_DELIVERY,
    positiveNumber('transaction_interval', 100, 'invalid-number'),
  ),
  isolation_level: choice('isolation_level', ISOLATION_LEVELS, 'invalid-isolation-level'),
  /** Seconds; 0 means no metrics output. */
  metrics_interval: wholeNumber('metrics_interval', 0, 'invalid-count'),
  message_format: choice('message_format', MESSAGE_FORMATS, 'invalid-format'),
  key_format: choice('key_format', KEY_FORMATS, 'invalid-format'),
  output,
  /** Records per batch msg. */
  max_batch_size: onlyWhen(BATCH_OUTPUT, positiveNumber('max_batch_size', 1000, 'invalid-count')),
  /** Milliseconds a partial batch may wait for more records; 0 sends each fetch's records at once. */
  max_batch_wait: onlyWhen(BATCH_OUTPUT, wholeNumber('max_batch_wait', 0, 'invalid-whole-number')),
  /** Blank means the generated `operion-triggers-<node id>`: see groupIdOf(). */
  consumer_group: {
    defaultValue: '',
    check: (value: unknown): { value: string } => ({ value: text(value).trim() }),
  },
  // Control messages and replay.
  /** true: the trigger has an input, and msg.action pauses, resumes, stops, starts or seeks it. */
  control: flag<TriggerProblemKey>('control', 'invalid-control'),
  /** An RFC 3339 date-time; blank is a problem in its mode. */
  start_timestamp: onlyWhen(FROM_TIMESTAMP, {
    defaultValue: '',
    check(value: unknown): Checked<number, TriggerProblemKey> {
      const stamp = text(value).trim();
      const millis = parseRfc3339(stamp);
      return millis === undefined
        ? problem('invalid-start-timestamp', 'start_timestamp', { value: stamp })
        : { value: millis };
    },
  }),
} satisfies Record<string, SettingRule<unknown, TriggerProblemKey>>;

/** The consumer group a trigger joins: its consumer_group setting, blank meaning the generated id. */
export function groupIdOf(consumerGroup: unknown, nodeId: string): string {
  return TRIGGER_RULES.consumer_group.check(consumerGroup).value || defaultGroupId(nodeId);
}

/** The heartbeat must stay below the session timeout, or the group drops the member. */
export function heartbeatProblem(
  heartbeat: number,
  session: number,
): SettingProblem<TriggerProblemKey> | undefined {
  if (heartbeat < session) return undefined;
  return problem('heartbeat-not-below-session', 'heartbeat_interval', { heartbeat, session }).problem;
}

/**
 * An RFC 3339 date-time (`2024-06-18T05:09:00Z`, fractions and `+02:00` offsets allowed; a space for
 * the `T` too, as RFC 3339 permits) as epoch milliseconds, or undefined for anything else, including
 * dates that do not exist (2024-02-30).
 */
export function parseRfc3339(value: string): number | undefined {
  const match = RFC_3339.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map<number>(Number);
  const millis = Date.parse(value.toUpperCase().replace(' ', 'T'));
  if (Number.isNaN(millis)) return undefined;
  // Date.parse rolls 2024-02-30 over to March: the calendar fields must survive a round trip.
  const check = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    return undefined;
  return millis;
}

const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
