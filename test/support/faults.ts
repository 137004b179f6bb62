// Helpers for the fault suite (test/faults): a numbered producer that rides out broker outages,
// a read_committed read-back, delivery bookkeeping, process resource probes and the FIGURES lines
// every scenario prints.
import { existsSync, readFileSync } from 'node:fs';
import {
  AssignerProtocol,
  Kafka,
  logLevel,
  type Admin,
  type IHeaders,
  type Message,
  type Producer,
} from 'kafkajs';
import type { TriggerData } from '../../src/formats/trigger-data';
import { uniqueName } from './kafka';
import { sleep, waitFor } from './wait';

export { establishedSocketsTo } from '../../scripts/bench/process-stats';

export type BrokerAddress = { bootstrap: string };

/** A kafkajs client that gives up quickly, so that the callers' own loops decide how long to retry. */
export function impatientKafka(broker: BrokerAddress, clientId = 'fault-suite'): Kafka {
  return new Kafka({
    brokers: [broker.bootstrap],
    clientId,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1000 },
  });
}

export async function withFaultAdmin<T>(
  broker: BrokerAddress,
  action: (admin: Admin) => Promise<T>,
): Promise<T> {
  const admin = new Kafka({
    brokers: [broker.bootstrap],
    clientId: 'fault-admin',
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    return await action(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Whether `group` has committed up to the end of every partition of `topic`: what it could still
 * receive again is what it has not committed, so then no redelivery is on its way.
 */
export async function committedToEnd(broker: BrokerAddress, group: string, topic: string): Promise<boolean> {
  return withFaultAdmin(broker, async (admin) => {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return ends.every(
      ({ partition, offset }) =>
        committed?.partitions.find((entry) => entry.partition === partition)?.offset === offset,
    );
  });
}

/** Each partition's committed offset of `group` in `topic` (the next record it reads); -1 where nothing is committed. */
export async function committedOffsets(
  broker: BrokerAddress,
  group: string,
  topic: string,
  partitions: number,
): Promise<number[]> {
  const [offsets] = await withFaultAdmin(broker, (admin) =>
    admin.fetchOffsets({ groupId: group, topics: [topic] }),
  );
  const byPartition = Array<number>(partitions).fill(-1);
  for (const { partition, offset } of offsets?.partitions ?? []) byPartition[partition] = Number(offset);
  return byPartition;
}

/** One member of a consumer group: its client id and the partitions of `topic` it was assigned. */
export interface GroupMember {
  clientId: string;
  partitions: number[];
}

/** The members of a Stable group with their partitions of `topic` (sorted); none while it rebalances. */
export async function groupMembers(
  broker: BrokerAddress,
  group: string,
  topic: string,
): Promise<GroupMember[]> {
  const { groups } = await withFaultAdmin(broker, (admin) => admin.describeGroups([group]));
  const [description] = groups;
  if (!description || description.state !== 'Stable') return [];
  return description.members.map((member) => {
    const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
    return {
      clientId: member.clientId,
      partitions: [...(assignment?.assignment[topic] ?? [])].sort((a, b) => a - b),
    };
  });
}

export interface SequenceProducerOptions {
  /** Records per send. */
  batchSize: number;
  /** Pause between sends. */
  everyMs: number;
  /** How long new numbers are produced. */
  durationMs: number;
  /** Each record's partition, or the default partitioner. */
  partitions?: number;
  /** Idempotent sends: a retried send is never written twice. */
  idempotent?: boolean;
}

export interface SequenceProducer {
  /** Every number the broker acknowledged. */
  readonly acknowledged: Set<number>;
  /** Sends that failed and were retried. */
  readonly failedSends: number;
  /** Resolves when the last number is acknowledged. */
  readonly done: Promise<void>;
  /** Stops producing new numbers early; `done` still waits for the batch in flight. */
  stop(): void;
}

/**
 * Writes the numbers 1, 2, 3... as JSON values (`{"n": 1}`), `batchSize` per send, every `everyMs`, for
 * `durationMs`. A failed send is retried with the same numbers until the broker takes it, so an
 * outage delays the sequence but never leaves a hole in it.
 */
export function startSequenceProducer(
  broker: BrokerAddress,
  topic: string,
  options: SequenceProducerOptions,
): SequenceProducer {
  const acknowledged = new Set<number>();
  let failedSends = 0;
  let stopped = false;
  const producer: Producer = impatientKafka(broker, 'fault-sequence-producer').producer({
    allowAutoTopicCreation: false,
    ...(options.idempotent ? { idempotent: true, maxInFlightRequests: 1 } : {}),
  });
  const run = async (): Promise<void> => {
    const until = Date.now() + options.durationMs;
    let next = 1;
    let connected = false;
    try {
      while (!stopped && Date.now() < until) {
        const numbers = Array.from({ length: options.batchSize }, (_, index) => next + index);
        next += options.batchSize;
        for (;;) {
          try {
            if (!connected) {
              await producer.connect();
              connected = true;
            }
            await producer.send({
              topic,
              acks: -1,
              messages: numbers.map((n) => sequenceRecord(n, options.partitions)),
            });
            break;
          } catch {
            failedSends += 1;
            await sleep(250);
          }
        }
        for (const n of numbers) acknowledged.add(n);
        await sleep(options.everyMs);
      }
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  };
  const done = run();
  return {
    acknowledged,
    get failedSends() {
      return failedSends;
    },
    done,
    stop: () => {
      stopped = true;
    },
  };
}

/** Record n of a sequence: key "n", value `{"n": n}`, in partition n % `partitions` when given. */
function sequenceRecord(n: number, partitions?: number): Message {
  return {
    key: String(n),
    value: JSON.stringify({ n }),
    ...(partitions ? { partition: n % partitions } : {}),
  };
}

/**
 * Writes the numbers 1 to `count` at once, as startSequenceProducer writes them, record n in
 * partition n % `partitions`.
 */
export async function preloadSequence(
  broker: BrokerAddress,
  topic: string,
  count: number,
  partitions: number,
): Promise<void> {
  // Idempotent, so that a retried send never writes a number twice.
  const producer = impatientKafka(broker, 'fault-preload').producer({
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    for (let first = 1; first <= count; first += 2000) {
      const last = Math.min(first + 1999, count);
      const messages = Array.from({ length: last - first + 1 }, (_, i) =>
        sequenceRecord(first + i, partitions),
      );
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** A record as a consumer read it back: where it sits, its value as text and its headers. */
export interface ReadBackRecord {
  partition: number;
  offset: number;
  value: string | null;
  headers: IHeaders;
}

/**
 * Every record of `topic` that a kafkajs consumer sees with its default isolation, read_committed.
 * Reads until each partition's position reaches the end the partition had when called, so an open
 * transaction there holds it up until it ends (or `timeoutMs` passes). kafkajs 2.2.4 skips aborted
 * records by a list of aborted transactions that it takes to be sorted by first offset, which the
 * broker does not promise (it lists them as they were aborted): it may show some aborted records.
 */
export async function readCommittedWithKafkajs(
  broker: BrokerAddress,
  topic: string,
  timeoutMs = 60000,
): Promise<ReadBackRecord[]> {
  const ends = await withFaultAdmin(broker, (admin) => admin.fetchTopicOffsets(topic));
  const consumer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).consumer({
    groupId: uniqueName('read-committed'),
  });
  const records: ReadBackRecord[] = [];
  // Next offset to read per partition; a batch of markers or aborted records only moves it too.
  const positions = new Map<number, number>();
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    positions.set(payload.partition, Number(payload.lastOffset) + 1);
  });
  const behind = (): string[] =>
    ends
      .filter(({ partition, high }) => (positions.get(partition) ?? 0) < Number(high))
      .map(({ partition, high }) => `partition ${partition} at ${positions.get(partition) ?? 0} of ${high}`);
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        records.push({
          partition,
          offset: Number(message.offset),
          value: message.value === null ? null : message.value.toString('utf8'),
          headers: message.headers ?? {},
        });
      },
    });
    await waitFor(() => behind().length === 0, timeoutMs, `the end of ${topic}`).catch((error: Error) => {
      throw new Error(`${error.message} (${behind().join(', ')}): a transaction left open?`);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Counts deliveries of numbered records. */
export class DeliveryLedger {
  readonly counts = new Map<number, number>();
  total = 0;
  lastDeliveryAt = 0;
  firstDeliveryAt = 0;
  private readonly watchers: ((at: number) => void)[] = [];

  record(n: number): void {
    this.total += 1;
    this.counts.set(n, (this.counts.get(n) ?? 0) + 1);
    const now = Date.now();
    if (!this.firstDeliveryAt) this.firstDeliveryAt = now;
    this.lastDeliveryAt = now;
    for (const watcher of this.watchers) watcher(now);
  }

  /** Calls `watcher` with the time of every delivery from now on. */
  onDelivery(watcher: (at: number) => void): void {
    this.watchers.push(watcher);
  }

  get distinct(): number {
    return this.counts.size;
  }

  get duplicates(): number {
    return this.total - this.counts.size;
  }

  missing(expected: Iterable<number>): number[] {
    const missing: number[] = [];
    for (const n of expected) if (!this.counts.has(n)) missing.push(n);
    return missing;
  }
}

/** The number in a sequence record's payload, or undefined for any other record. */
export function sequenceNumber(message: unknown): number | undefined {
  if (message && typeof message === 'object' && 'n' in message) {
    const n = message.n;
    if (typeof n === 'number') return n;
  }
  return undefined;
}

/** Heap used after a full collection; needs node's --expose-gc (the fault suite's mocharc sets it). */
export function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

/** Prints one scenario's figures on a single line that is easy to grep: `FIGURES <name>: k=v ...`. */
export function printFigures(name: string, figures: Record<string, string | number | boolean>): void {
  const text = Object.entries(figures)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  console.log(`FIGURES ${name}: ${text}`);
}

/** Records unhandled rejections and uncaught exceptions while a scenario runs. */
export class ProcessFaultRecorder {
  readonly unhandledRejections: unknown[] = [];
  readonly uncaughtExceptions: unknown[] = [];
  private readonly onRejection = (reason: unknown): void => {
    this.unhandledRejections.push(reason);
  };
  private readonly onException = (error: unknown): void => {
    this.uncaughtExceptions.push(error);
  };

  install(): void {
    process.on('unhandledRejection', this.onRejection);
    process.on('uncaughtException', this.onException);
  }

  uninstall(): void {
    process.off('unhandledRejection', this.onRejection);
    process.off('uncaughtException', this.onException);
  }
}

export function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

/** The payloads a fileRecorderNode wrote, in order (trigger data unless the flow wrote something else). */
export function readRecordedPayloads<T = TriggerData>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as T];
      } catch {
        return []; // a line cut short by SIGKILL
      }
    });
}
