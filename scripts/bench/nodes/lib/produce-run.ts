// What the produce bench's two writers (the raw kafkajs worker and the bench-source node in
// Node-RED) share: the run they are told to do, the records they write, the pacing of a latency
// run and the messages they send the runner. Both are measured by the same Probe at the ack.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProbeMessage } from './probe';

export interface ProduceRun {
  mode: 'throughput' | 'latency';
  /** throughput: records written and measured after the warm-up. */
  records: number;
  /** Bytes of each record's value (ASCII, so characters = bytes). */
  valueBytes: number;
  /** throughput: records written and acknowledged before the measured ones. */
  warmUpRecords: number;
  /** latency: records/s, written for warmUpSeconds (not measured), then for seconds. */
  rate: number;
  warmUpSeconds: number;
  seconds: number;
}

export type ProduceRequest = { type: 'start' };

export type ProduceMessage =
  | ProbeMessage
  /** The first measured record is about to be written (epoch ms, fractional). */
  | { type: 'started'; at: number }
  /** latency: the writer stopped; `measured` records were written at `rate` records/s. */
  | { type: 'sent'; measured: number; rate: number }
  /** A record was not written: the run is void. */
  | { type: 'failed'; error: string };

/** Cheap to send: a warm-up record in a latency run is `w`, as the Probe expects. */
export const WARM_UP_SENT_AT = 'w';

const values = new Map<number, string>();

/** A JSON-ish ASCII value of exactly `bytes` bytes (the same string for every record of a run). */
export function benchValue(bytes: number): string {
  let value = values.get(bytes);
  if (value === undefined) {
    const head = '{"event":"bench","note":"';
    const tail = '"}';
    value = (head + 'x'.repeat(Math.max(0, bytes - head.length - tail.length)) + tail).slice(0, bytes);
    values.set(bytes, value);
  }
  return value;
}

/** Keys spread records over the partitions as a keyed stream would. */
export function benchKey(sequence: number): string {
  return `user-${sequence % 10007}`;
}

/**
 * Calls `emit` `rate` times a second for `seconds`, checking every millisecond how many are due, and
 * resolves with how many it emitted and at what rate.
 */
export async function paced(
  rate: number,
  seconds: number,
  emit: () => void,
): Promise<{ emitted: number; rate: number }> {
  const started = performance.now();
  const ends = started + seconds * 1000;
  let emitted = 0;
  for (let now = started; now < ends; now = performance.now()) {
    const due = Math.floor(((now - started) / 1000) * rate) - emitted;
    for (let i = 0; i < due; i += 1) emit();
    emitted += Math.max(0, due);
    await sleep(1);
  }
  return { emitted, rate: (emitted / (performance.now() - started)) * 1000 };
}

export function sendToRunner(message: ProduceMessage): void {
  process.send?.(message);
}
