// What each admin action reads from a msg (or the sidebar from a request), checked before any broker
// call: a bad input is refused with a problem that says what is wrong, never sent to Kafka.
import { isValidTopicName, text } from '../settings/rules/common';
import { OperationProblem } from './operation-problem';

/** Where in a partition: its first offset, its end, or the first record at or after a time (ms since 1970). */
export type OffsetPosition = 'earliest' | 'latest' | { timestamp: number };

/** Where a reset moves a group: a position on every partition, or given offsets on given partitions. */
export type ResetTarget = OffsetPosition | { offsets: Record<number, number> };

export interface CreateTopicRequest {
  topic: string;
  /** Undefined: the broker's default (num.partitions). */
  partitions: number | undefined;
  /** Undefined: the broker's default (default.replication.factor). */
  replicationFactor: number | undefined;
  config: Record<string, string>;
}

export interface TopicOffsetsRequest {
  topic: string;
  at: OffsetPosition;
}

export interface OffsetResetRequest {
  group: string;
  topic: string;
  to: ResetTarget;
}

/** Kafka's own bounds: partitions and replicas are counted in 32 and 16 bits. */
const MAX_PARTITIONS = 100000;
const MAX_REPLICATION_FACTOR = 32767;
const MAX_CONFIG_ENTRIES = 100;
const MAX_GROUP_LENGTH = 255;

type Fields = Record<string, unknown>;

/** A value as a problem shows it; one that JSON cannot write (circular) by its type. */
function shown(value: unknown): string {
  try {
    return text(value);
  } catch {
    return `(${typeof value})`;
  }
}

/** msg.payload's properties: an object's own, nothing for anything else. */
function fieldsOf(payload: unknown): Fields {
  return typeof payload === 'object' &&
    payload !== null &&
    !Array.isArray(payload) &&
    !Buffer.isBuffer(payload)
    ? (payload as Fields)
    : {};
}

/** The topic: `payload.topic`, a string payload, or msg.topic, in that order. */
export function topicOf(payload: unknown, msgTopic: unknown): string {
  const given = fieldsOf(payload).topic ?? (typeof payload === 'string' ? payload : undefined) ?? msgTopic;
  const topic = typeof given === 'string' ? given.trim() : '';
  if (!isValidTopicName(topic)) throw new OperationProblem('invalid-topic', { topic: shown(given) });
  return topic;
}

/** The consumer group: `payload.group` or a string payload. */
export function groupOf(payload: unknown): string {
  const given = fieldsOf(payload).group ?? (typeof payload === 'string' ? payload : undefined);
  const group = typeof given === 'string' ? given.trim() : '';
  if (!group || group.length > MAX_GROUP_LENGTH)
    throw new OperationProblem('invalid-group', { group: shown(given) });
  return group;
}

export function createTopicRequestOf(payload: unknown, msgTopic: unknown): CreateTopicRequest {
  const fields = fieldsOf(payload);
  return {
    topic: topicOf(payload, msgTopic),
    partitions: countOf(fields.partitions, MAX_PARTITIONS, 'invalid-partitions'),
    replicationFactor: countOf(
      fields.replication_factor,
      MAX_REPLICATION_FACTOR,
      'invalid-replication-factor',
    ),
    config: configOf(fields.config),
  };
}

export function topicOffsetsRequestOf(payload: unknown, msgTopic: unknown): TopicOffsetsRequest {
  const at = fieldsOf(payload).at;
  return {
    topic: topicOf(payload, msgTopic),
    at: at === undefined ? 'latest' : positionOf(at, 'invalid-at'),
  };
}

export function offsetResetRequestOf(payload: unknown, msgTopic: unknown): OffsetResetRequest {
  const fields = fieldsOf(payload);
  return { group: groupOf(payload), topic: topicOf(payload, msgTopic), to: resetTargetOf(fields.to) };
}

/** A whole number from 1 to `max`, or undefined when not given. */
function countOf(
  value: unknown,
  max: number,
  key: 'invalid-partitions' | 'invalid-replication-factor',
): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const count = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof count === 'number' && Number.isInteger(count) && count >= 1 && count <= max) return count;
  throw new OperationProblem(key, { value: shown(value), max });
}

/** Topic settings (retention.ms, cleanup.policy, ...) as Kafka takes them: names and text values. */
function configOf(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  const entries = typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : undefined;
  if (!entries || entries.length > MAX_CONFIG_ENTRIES)
    throw new OperationProblem('invalid-config', { name: '', value: shown(value), max: MAX_CONFIG_ENTRIES });
  const config: Record<string, string> = {};
  for (const [name, setting] of entries) {
    if (!['string', 'number', 'boolean'].includes(typeof setting) || !name.trim())
      throw new OperationProblem('invalid-config', { name, value: shown(setting), max: MAX_CONFIG_ENTRIES });
    config[name.trim()] = String(setting);
  }
  return config;
}

/** 'earliest', 'latest', or a time: milliseconds since 1970 or a date text such as ISO 8601. */
export function positionOf(value: unknown, key: 'invalid-at' | 'invalid-to'): OffsetPosition {
  if (value === 'earliest' || value === 'latest') return value;
  const timestamp =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Date.parse(value) : NaN;
  if (Number.isInteger(timestamp) && timestamp >= 0) return { timestamp };
  throw new OperationProblem(key, { value: shown(value) });
}

/** A position, or `{<partition>: <offset>, ...}` with whole numbers from 0. */
export function resetTargetOf(value: unknown): ResetTarget {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return positionOf(value, 'invalid-to');
  const entries = Object.entries(value as Fields);
  const offsets: Record<number, number> = {};
  for (const [partition, offset] of entries) {
    const number = typeof offset === 'string' && offset.trim() ? Number(offset) : offset;
    if (!/^\d+$/.test(partition) || typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0)
      throw new OperationProblem('invalid-to', { value: shown(value) });
    offsets[Number(partition)] = number;
  }
  if (entries.length === 0) throw new OperationProblem('invalid-to', { value: shown(value) });
  return { offsets };
}
