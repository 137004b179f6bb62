// The rules of every kafka-trigger, kafka-produce and kafka-broker setting: its flow JSON name, its default and its
// check. The runtime's resolvers, the command line and the editor (bundled into the nodes' HTML) all
// read them from here, so a rule changes in this file only. It imports nothing: it runs in the browser.
//
// Config node references (a trigger's or producer's `broker`, a broker's `tls`) are not in these tables: they name
// another node, which Node-RED's editor and the runtime's node lookup check.

/** A problem with a setting: a message key under `<node type>.errors` and its parameters. */
export interface SettingProblem<Key extends string = string> {
  key: Key;
  params: Record<string, string | number>;
  /** The flow JSON property that is wrong. */
  setting: string;
}

export type Checked<T, Key extends string> = { value: T } | { problem: SettingProblem<Key> };

export interface SettingRule<T, Key extends string> {
  /** What a node dropped from the palette starts with. */
  readonly defaultValue: string | number | boolean;
  /** The value the runtime uses, or what is wrong with the flow JSON value. */
  check(value: unknown): Checked<T, Key>;
}

/** A setting with a fixed set of values (a select in the editor). */
export interface ChoiceRule<T extends string, Key extends string> extends SettingRule<T, Key> {
  readonly defaultValue: T;
  readonly choices: readonly T[];
}

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
] as const;
export type TriggerProblemKey = (typeof TRIGGER_PROBLEM_KEYS)[number];

/** Every problem a kafka-produce setting can have; the message is `kafka-produce.errors.<key>`. */
export const PRODUCE_PROBLEM_KEYS = [
  'invalid-topic',
  'invalid-acks',
  'invalid-compression',
  'invalid-number',
  'invalid-format',
] as const;
export type ProduceProblemKey = (typeof PRODUCE_PROBLEM_KEYS)[number];

/** Every problem a broker setting can have; the message is `kafka-broker.errors.<key>`. */
export const BROKER_PROBLEM_KEYS = ['invalid-broker', 'invalid-sasl', 'invalid-registry-url'] as const;
export type BrokerProblemKey = (typeof BROKER_PROBLEM_KEYS)[number];

/**
 * The generated group id is this prefix and the node id. It can never change: a group's committed
 * offsets are stored under its id, so another prefix would restart every such trigger from scratch.
 */
export const GROUP_ID_PREFIX = 'operion-triggers-';

export function defaultGroupId(nodeId: string): string {
  return GROUP_ID_PREFIX + nodeId;
}

/** What kafkajs calls this client when the broker node leaves the client id blank. */
export const DEFAULT_CLIENT_ID = 'node-red-kafka-trigger';

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function isValidTopicName(topic: string): boolean {
  return TOPIC_NAME.test(topic) && topic !== '.' && topic !== '..';
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/;

/** `host:port` (a bracketed IPv6 address as host) with a port from 1 to 65535. */
export function isBrokerAddress(entry: string): boolean {
  const match = HOST_PORT.exec(entry);
  const port = match ? Number(match[2]) : 0;
  return port >= 1 && port <= 65535;
}

/** An absolute http: or https: URL with a host. */
export function isHttpUrl(entry: string): boolean {
  try {
    const url = new URL(entry);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Splits a comma-separated broker list, trimming blanks away. */
export function parseBrokerList(list: string | undefined): string[] {
  if (!list) return [];
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

export const START_FROM = ['newest', 'earliest', 'timestamp'] as const;
export type StartFrom = (typeof START_FROM)[number];

/** One msg per record (the contract), or one msg per fetched batch of a partition. */
export const OUTPUTS = ['record', 'batch'] as const;
export type Output = (typeof OUTPUTS)[number];

export const DELIVERY_MODES = ['handoff', 'complete'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

/** How many replicas must have a record before the broker acknowledges it: all in-sync ones, the leader, none. */
export const ACKS = ['all', 'leader', 'none'] as const;
export type Acks = (typeof ACKS)[number];

export const COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/**
 * How a trigger turns a record's value into `message`: the trigger-data rule (JSON when it parses),
 * UTF-8 text, the bytes untouched, or decoded with the schema its Confluent wire-format header names.
 */
export const MESSAGE_FORMATS = ['auto', 'text', 'buffer', 'schema-registry'] as const;
export type MessageFormat = (typeof MESSAGE_FORMATS)[number];

/** How a trigger turns a record's key into `key`; `text` is the trigger-data rule. */
export const KEY_FORMATS = ['text', 'buffer', 'schema-registry'] as const;
export type KeyFormat = (typeof KEY_FORMATS)[number];

/** How kafka-produce turns msg.payload into a value: the record rules, or the subject's latest schema. */
export const PRODUCE_MESSAGE_FORMATS = ['auto', 'schema-registry'] as const;
export type ProduceMessageFormat = (typeof PRODUCE_MESSAGE_FORMATS)[number];

export const SASL_MECHANISMS = ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export function isSaslMechanism(value: string): value is SaslMechanism {
  return (SASL_MECHANISMS as readonly string[]).includes(value);
}

// --- Topic lists and patterns ---

/**
 * What a trigger's `topic` setting subscribes to: one topic or a comma-separated list (`topics`, in
 * the order written, duplicates dropped), or `/regex/` (`pattern`): every topic whose name the
 * regular expression matches (JavaScript's RegExp.test, so `^` and `$` anchor it), internal
 * topics (`__consumer_offsets`...) never.
 */
export type TopicSelection =
  { kind: 'topics'; topics: string[] } | { kind: 'pattern'; source: string; pattern: RegExp };

/** Whether a topic setting is the `/regex/` form. */
export function isTopicPattern(topic: string): boolean {
  return topic.length >= 2 && topic.startsWith('/') && topic.endsWith('/');
}

/** Kafka's internal topics start with two underscores; a pattern never matches them. */
export function isInternalTopic(topic: string): boolean {
  return topic.startsWith('__');
}

/** The topics of `available` that a selection names or matches, sorted; internal topics never. */
export function selectedTopics(selection: TopicSelection, available: readonly string[]): string[] {
  const chosen =
    selection.kind === 'topics'
      ? available.filter((topic) => selection.topics.includes(topic))
      : available.filter((topic) => !isInternalTopic(topic) && selection.pattern.test(topic));
  return [...new Set(chosen)].sort();
}

/** Reads a trimmed, non-blank topic setting: one topic, a comma-separated list, or `/regex/`. */
export function parseTopicSelection(topic: string): Checked<TopicSelection, TriggerProblemKey> {
  if (isTopicPattern(topic)) {
    const source = topic.slice(1, -1);
    if (!source) return problem('invalid-topic-pattern', 'topic', { pattern: topic, error: 'empty' });
    try {
      return { value: { kind: 'pattern', source, pattern: new RegExp(source) } };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return problem('invalid-topic-pattern', 'topic', { pattern: topic, error: message });
    }
  }
  if (!topic.includes(',')) {
    return isValidTopicName(topic)
      ? { value: { kind: 'topics', topics: [topic] } }
      : problem('invalid-topic', 'topic', { topic });
  }
  const entries = topic.split(',').map((entry) => entry.trim());
  const topics: string[] = [];
  for (const [index, entry] of entries.entries()) {
    if (!entry) return problem('empty-topic-in-list', 'topic', { position: index + 1 });
    if (!isValidTopicName(entry)) return problem('invalid-topic-in-list', 'topic', { topic: entry });
    if (!topics.includes(entry)) topics.push(entry);
  }
  return { value: { kind: 'topics', topics } };
}

// --- end of topic lists and patterns ---

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
  topic_refresh_interval: {
    defaultValue: 60,
    check(value: unknown): Checked<number, TriggerProblemKey> {
      const seconds = text(value).trim();
      if (seconds === '') return { value: 60 };
      const parsed = Number(seconds);
      if (Number.isFinite(parsed) && parsed > 0) return { value: parsed };
      return problem('invalid-refresh-interval', 'topic_refresh_interval', { value: seconds });
    },
  },
  /** Blank means the generated `operion-triggers-<node id>`. */
  consumer_group: {
    defaultValue: '',
    check: (value: unknown): { value: string } => ({ value: text(value).trim() }),
  },
  start_from: choice('start_from', START_FROM, 'invalid-start-from'),
  session_timeout: positiveNumber('session_timeout', 10000, 'invalid-number'),
  /** Must also be lower than the session timeout: see heartbeatProblem(). */
  heartbeat_interval: positiveNumber('heartbeat_interval', 3000, 'invalid-number'),
  delivery: choice('delivery', DELIVERY_MODES, 'invalid-delivery'),
  max_in_flight: positiveNumber('max_in_flight', 100, 'invalid-count'),
  complete_timeout: positiveNumber('complete_timeout', 60000, 'invalid-number'),
  /** Blank means failed records are only logged. */
  dead_letter_topic: optionalTopic<TriggerProblemKey>('dead_letter_topic', 'invalid-topic'),
  message_format: choice('message_format', MESSAGE_FORMATS, 'invalid-format'),
  key_format: choice('key_format', KEY_FORMATS, 'invalid-format'),
  /** Seconds; 0 means no metrics output. */
  metrics_interval: wholeNumber('metrics_interval', 0, 'invalid-count'),
  output: choice('output', OUTPUTS, 'invalid-output'),
  /** Records per batch msg, in batch output. */
  max_batch_size: positiveNumber('max_batch_size', 1000, 'invalid-count'),
  /** Milliseconds a partial batch may wait for more records; 0 sends each fetch's records at once. */
  max_batch_wait: wholeNumber('max_batch_wait', 0, 'invalid-whole-number'),
  // Control messages and replay.
  /** Only read when start_from is `timestamp`: an RFC 3339 date-time; blank is a problem then. */
  start_timestamp: {
    defaultValue: '',
    check(value: unknown): Checked<number, TriggerProblemKey> {
      const stamp = text(value).trim();
      const millis = parseRfc3339(stamp);
      return millis === undefined
        ? problem('invalid-start-timestamp', 'start_timestamp', { value: stamp })
        : { value: millis };
    },
  },
  /** true: the trigger has an input, and msg.action pauses, resumes, stops, starts or seeks it. */
  control: {
    defaultValue: false,
    check(value: unknown): Checked<boolean, TriggerProblemKey> {
      if (value === undefined || value === null || value === '' || value === false || value === 'false')
        return { value: false };
      if (value === true || value === 'true') return { value: true };
      return problem('invalid-control', 'control', { value: text(value) });
    },
  },
} satisfies Record<string, SettingRule<unknown, TriggerProblemKey>>;

/**
 * An RFC 3339 date-time (`2024-06-18T05:09:00Z`, fractions and `+02:00` offsets allowed; a space for
 * the `T` too, as RFC 3339 permits) as epoch milliseconds, or undefined for anything else, including
 * dates that do not exist (2024-02-30).
 */
export function parseRfc3339(value: string): number | undefined {
  const match = RFC_3339.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const millis = Date.parse(value.toUpperCase().replace(' ', 'T'));
  if (Number.isNaN(millis)) return undefined;
  // Date.parse rolls 2024-02-30 over to March: the calendar fields must survive a round trip.
  const check = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
  if (
    check.getUTCMonth() !== month! - 1 ||
    check.getUTCDate() !== day! ||
    hour! > 23 ||
    minute! > 59 ||
    second! > 59
  )
    return undefined;
  return millis;
}

const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export const PRODUCE_RULES = {
  /** Blank means each msg's `msg.topic`. */
  topic: optionalTopic<ProduceProblemKey>('topic', 'invalid-topic'),
  /** Blank means each msg's `msg.key`. */
  key: {
    defaultValue: '',
    check: (value: unknown): { value: string | undefined } => ({ value: text(value) || undefined }),
  },
  acks: choice('acks', ACKS, 'invalid-acks'),
  compression: choice('compression', COMPRESSIONS, 'invalid-compression'),
  /** Milliseconds from a msg's arrival to the broker's acknowledgement, after which it fails. */
  send_timeout: positiveNumber('send_timeout', 30000, 'invalid-number'),
  message_format: choice('message_format', PRODUCE_MESSAGE_FORMATS, 'invalid-format'),
  /** Blank means `<topic>-value`, the Confluent serializers' default subject. */
  schema_subject: {
    defaultValue: '',
    check: (value: unknown): { value: string | undefined } => ({ value: text(value).trim() || undefined }),
  },
} satisfies Record<string, SettingRule<unknown, ProduceProblemKey>>;

/** The heartbeat must stay below the session timeout, or the group drops the member. */
export function heartbeatProblem(
  heartbeat: number,
  session: number,
): SettingProblem<TriggerProblemKey> | undefined {
  if (heartbeat < session) return undefined;
  return problem('heartbeat-not-below-session', 'heartbeat_interval', { heartbeat, session }).problem;
}

export const BROKER_RULES = {
  /** Blank means the KAFKA_BROKERS environment variable. */
  brokers: {
    defaultValue: '',
    check(value: unknown): Checked<string[], BrokerProblemKey> {
      const brokers = parseBrokerList(text(value));
      const invalid = brokers.filter((entry) => !isBrokerAddress(entry));
      return invalid.length === 0
        ? { value: brokers }
        : problem('invalid-broker', 'brokers', { broker: invalid.join(', ') });
    },
  },
  /** Blank means DEFAULT_CLIENT_ID. */
  client_id: {
    defaultValue: '',
    check: (value: unknown): { value: string } => ({ value: text(value) || DEFAULT_CLIENT_ID }),
  },
  sasl_mechanism: saslMechanismRule(),
  /** Blank means no Schema Registry. */
  schema_registry_url: {
    defaultValue: '',
    check(value: unknown): Checked<string | undefined, BrokerProblemKey> {
      const url = text(value).trim();
      if (!url) return { value: undefined };
      return isHttpUrl(url)
        ? { value: url.replace(/\/+$/, '') }
        : problem('invalid-registry-url', 'schema_registry_url', { url });
    },
  },
} satisfies Record<string, SettingRule<unknown, BrokerProblemKey>>;

/** Blank means none. */
function saslMechanismRule(): ChoiceRule<SaslMechanism, BrokerProblemKey> {
  return {
    defaultValue: 'none',
    choices: SASL_MECHANISMS,
    check(value) {
      const mechanism = value ? text(value) : 'none';
      return isSaslMechanism(mechanism)
        ? { value: mechanism }
        : problem('invalid-sasl', 'sasl_mechanism', { mechanism });
    },
  };
}

/** A valid topic name, or blank for none. */
function optionalTopic<Key extends string>(
  setting: string,
  problemKey: Key,
): SettingRule<string | undefined, Key> {
  return {
    defaultValue: '',
    check(value) {
      const topic = text(value).trim();
      if (!topic) return { value: undefined };
      return isValidTopicName(topic) ? { value: topic } : problem(problemKey, setting, { topic });
    },
  };
}

/** One of `choices`; blank means the first. */
function choice<T extends string, Key extends string>(
  setting: string,
  choices: readonly [T, ...T[]],
  problemKey: Key,
): ChoiceRule<T, Key> {
  return {
    defaultValue: choices[0],
    choices,
    check(value) {
      const chosen = value ? text(value) : choices[0];
      return (choices as readonly string[]).includes(chosen)
        ? { value: chosen as T }
        : problem(problemKey, setting, { setting, value: chosen });
    },
  };
}

/** A positive whole number (flow JSON may hold it as a numeric string); blank means the default. */
function positiveNumber<Key extends string>(
  setting: string,
  defaultValue: number,
  problemKey: Key,
): SettingRule<number, Key> {
  return {
    defaultValue,
    check(value) {
      if (value === undefined || value === null || value === '') return { value: defaultValue };
      const parsed = typeof value === 'number' ? value : Number(text(value).trim());
      if (Number.isInteger(parsed) && parsed > 0) return { value: parsed };
      return problem(problemKey, setting, { setting, value: text(value) });
    },
  };
}

/** A whole number, zero allowed; blank means the default. */
function wholeNumber<Key extends string>(
  setting: string,
  defaultValue: number,
  problemKey: Key,
): SettingRule<number, Key> {
  return {
    defaultValue,
    check(value) {
      const raw = text(value).trim();
      const parsed = raw === '' ? defaultValue : Number(raw);
      if (Number.isInteger(parsed) && parsed >= 0) return { value: parsed };
      return problem(problemKey, setting, { setting, value: raw });
    },
  };
}

/** Flow JSON values as text: a `${VAR}` from a typed environment variable may be a number or more. */
function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

function problem<Key extends string>(
  key: Key,
  setting: string,
  params: Record<string, string | number> = {},
): { problem: SettingProblem<Key> } {
  return { problem: { key, params, setting } };
}
