// How a Node-RED msg becomes a Kafka record: the value from msg.payload, the key from the setting or
// msg.key, the headers from msg.headers and the partition from msg.partition. A msg that cannot be
// written as a record gets a problem naming what is wrong, never an exception.
import type { IHeaders, Message } from 'kafkajs';
import { isValidTopicName } from '../settings/setting-rules';
import type { ProduceSettings } from '../settings/produce-settings';

/** What a kafka-produce node reads from a msg. */
export interface ProduceInput {
  topic?: unknown;
  payload?: unknown;
  key?: unknown;
  headers?: unknown;
  partition?: unknown;
}

/** A msg's problem: a message key under `kafka-produce.errors` and its parameters. */
export interface RecordProblem {
  key:
    | 'missing-msg-topic'
    | 'invalid-msg-topic'
    | 'missing-payload'
    | 'invalid-payload'
    | 'invalid-key'
    | 'invalid-headers'
    | 'invalid-header'
    | 'invalid-partition';
  params: Record<string, string | number>;
}

export interface OutgoingRecord {
  topic: string;
  message: Message;
  /** About how many bytes the record adds to a produce request, before compression. */
  size: number;
}

/** Kafka's per-record framing (lengths, attributes, deltas), roughly, for batch sizing. */
const RECORD_OVERHEAD_BYTES = 24;

/** The topic a msg goes to: the node's setting, else msg.topic. */
export function outgoingTopic(
  msg: ProduceInput,
  settings: Pick<ProduceSettings, 'topic'>,
): { topic: string } | { problem: RecordProblem } {
  const topic = settings.topic ?? msg.topic;
  if (typeof topic !== 'string' || topic.trim() === '') return problem('missing-msg-topic');
  if (!isValidTopicName(topic)) return problem('invalid-msg-topic', { topic });
  return { topic };
}

export function toOutgoingRecord(
  msg: ProduceInput,
  settings: Pick<ProduceSettings, 'topic' | 'key'>,
): { record: OutgoingRecord } | { problem: RecordProblem } {
  const destination = outgoingTopic(msg, settings);
  if ('problem' in destination) return destination;
  const { topic } = destination;

  const value = recordValue(msg.payload);
  if ('problem' in value) return value;
  const key = recordKey(settings.key ?? msg.key);
  if ('problem' in key) return key;
  const headers = recordHeaders(msg.headers);
  if ('problem' in headers) return headers;

  const message: Message = { key: key.key, value: value.value };
  let size = RECORD_OVERHEAD_BYTES + byteLength(value.value) + byteLength(key.key);
  if (headers.headers) {
    message.headers = headers.headers;
    size += headers.size;
  }
  if (typeof msg.partition === 'number') {
    if (!Number.isInteger(msg.partition) || msg.partition < 0) {
      return problem('invalid-partition', { partition: String(msg.partition) });
    }
    message.partition = msg.partition;
  }
  return { record: { topic, message, size } };
}

/**
 * A Buffer (or other byte array) as its bytes, null as a tombstone, a string as itself and anything
 * else as JSON text: kafkajs writes strings as UTF-8 straight into its request, with no copy.
 */
function recordValue(payload: unknown): { value: Buffer | string | null } | { problem: RecordProblem } {
  if (payload === null) return { value: null };
  if (payload === undefined) return problem('missing-payload');
  if (Buffer.isBuffer(payload)) return { value: payload };
  if (payload instanceof Uint8Array)
    return { value: Buffer.from(payload.buffer, payload.byteOffset, payload.length) };
  if (typeof payload === 'string') return { value: payload };
  if (typeof payload === 'function' || typeof payload === 'symbol') {
    return problem('invalid-payload', { type: typeof payload, error: 'it has no JSON form' });
  }
  try {
    const text: string | undefined = JSON.stringify(payload);
    // A toJSON() that returns undefined leaves nothing to write.
    if (text === undefined)
      return problem('invalid-payload', { type: typeof payload, error: 'it has no JSON form' });
    return { value: text };
  } catch (error) {
    // Circular objects and BigInts end up here.
    return problem('invalid-payload', { type: typeof payload, error: (error as Error).message });
  }
}

function recordKey(key: unknown): { key: Buffer | string | null } | { problem: RecordProblem } {
  if (key === undefined || key === null) return { key: null };
  if (Buffer.isBuffer(key) || typeof key === 'string') return { key };
  return problem('invalid-key', { type: describeType(key) });
}

/** An object whose values are strings or Buffers (or arrays of them, for a repeated header). */
function recordHeaders(
  headers: unknown,
): { headers: IHeaders | undefined; size: number } | { problem: RecordProblem } {
  if (headers === undefined || headers === null) return { headers: undefined, size: 0 };
  if (typeof headers !== 'object' || Array.isArray(headers) || Buffer.isBuffer(headers)) {
    return problem('invalid-headers', { type: describeType(headers) });
  }
  const result: IHeaders = {};
  let size = 0;
  for (const [name, value] of Object.entries(headers)) {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    for (const each of values) {
      if (typeof each !== 'string' && !Buffer.isBuffer(each)) {
        return problem('invalid-header', { name, type: describeType(each) });
      }
      size += Buffer.byteLength(name) + byteLength(each) + 2;
    }
    result[name] = value as IHeaders[string];
  }
  return { headers: result, size };
}

function byteLength(bytes: Buffer | string | null): number {
  if (bytes === null) return 0;
  return typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function problem(
  key: RecordProblem['key'],
  params: RecordProblem['params'] = {},
): { problem: RecordProblem } {
  return { problem: { key, params } };
}
