import { parseRfc3339 } from '../settings/setting-rules';

/** Where a seek moves this member's partitions, as msg.payload gives it. */
export type SeekTarget =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  /** Epoch milliseconds: the first record at or after it (past the end: latest). */
  | { kind: 'timestamp'; timestamp: number }
  /** One partition, to one offset; `topic` may be left out while the trigger has one topic. */
  | { kind: 'offset'; topic: string | undefined; partition: number; offset: number };

export type ControlCommand =
  { action: 'pause' | 'resume' | 'stop' | 'start' } | { action: 'seek'; target: SeekTarget };

export const CONTROL_ACTIONS = ['pause', 'resume', 'stop', 'start', 'seek'] as const;

/** Every reason a control message can fail; the message is `kafka-trigger.errors.<key>`. */
export const CONTROL_PROBLEM_KEYS = [
  'control-missing-action',
  'control-unknown-action',
  'control-closed',
  'seek-invalid-target',
  'seek-invalid-to',
  'seek-invalid-timestamp',
  'seek-invalid-partition',
  'seek-invalid-offset',
  'seek-invalid-topic',
  'seek-topic-required',
  'seek-not-owned',
  'seek-offset-out-of-range',
  'seek-no-partitions',
  'seek-stopped',
  'seek-busy',
  'seek-failed',
] as const;
export type ControlProblemKey = (typeof CONTROL_PROBLEM_KEYS)[number];

/**
 * Why a control message changed nothing: a message key under `kafka-trigger.errors` and its
 * parameters. The node turns it into the error its done() reports, so that Catch nodes see it.
 */
export class ControlError extends Error {
  constructor(
    readonly key: ControlProblemKey,
    readonly params: Record<string, string | number> = {},
  ) {
    super(key);
    this.name = 'ControlError';
  }
}

/** Reads msg.action (and, for seek, msg.payload); throws a ControlError for anything else. */
export function parseControlMessage(msg: { action?: unknown; payload?: unknown }): ControlCommand {
  const { action } = msg;
  if (action === undefined || action === null || action === '')
    throw new ControlError('control-missing-action');
  if (typeof action !== 'string' || !(CONTROL_ACTIONS as readonly string[]).includes(action))
    throw new ControlError('control-unknown-action', { action: describe(action) });
  if (action !== 'seek') return { action: action as 'pause' | 'resume' | 'stop' | 'start' };
  return { action: 'seek', target: parseSeekTarget(msg.payload) };
}

/** `{to}`, `{timestamp}` or `{partition, offset[, topic]}`, and nothing more. */
export function parseSeekTarget(payload: unknown): SeekTarget {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new ControlError('seek-invalid-target', { payload: describe(payload) });
  const target = payload as Record<string, unknown>;
  const keys = Object.keys(target).sort().join(',');
  if (keys === 'to') {
    if (target.to === 'earliest' || target.to === 'latest') return { kind: target.to };
    throw new ControlError('seek-invalid-to', { value: describe(target.to) });
  }
  if (keys === 'timestamp') {
    const timestamp =
      typeof target.timestamp === 'string' ? parseRfc3339(target.timestamp.trim()) : undefined;
    if (timestamp === undefined)
      throw new ControlError('seek-invalid-timestamp', { value: describe(target.timestamp) });
    return { kind: 'timestamp', timestamp };
  }
  if (keys === 'offset,partition' || keys === 'offset,partition,topic') {
    const partition = wholeNumber(target.partition);
    if (partition === undefined)
      throw new ControlError('seek-invalid-partition', { value: describe(target.partition) });
    const offset = wholeNumber(target.offset);
    if (offset === undefined)
      throw new ControlError('seek-invalid-offset', { value: describe(target.offset) });
    if (target.topic !== undefined && (typeof target.topic !== 'string' || target.topic.trim() === ''))
      throw new ControlError('seek-invalid-topic', { value: describe(target.topic) });
    const topic = typeof target.topic === 'string' ? target.topic.trim() : undefined;
    return { kind: 'offset', topic, partition, offset };
  }
  throw new ControlError('seek-invalid-target', { payload: describe(payload) });
}

/** A whole number >= 0, given as a number or as digits (flow JSON and inject nodes give either). */
function wholeNumber(value: unknown): number | undefined {
  const parsed =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value.trim())
        ? Number(value)
        : NaN;
  return Number.isSafeInteger(parsed) && parsed >= 0 ? parsed : undefined;
}

/** A short text for an error message: JSON, cut to 60 characters. */
function describe(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? typeof value);
  } catch {
    text = typeof value === 'bigint' ? value.toString() : 'a value that is not JSON';
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
