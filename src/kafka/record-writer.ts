// Writes the records of one kafka-produce node. Records that arrive while a produce request is in
// flight wait and go out together in the next one (one request at a time, so each partition gets
// them in arrival order); a lone record goes out at once. While the broker cannot be reached,
// records wait, capped in number, each until its send timeout; the connection is retried with backoff.
import type { CompressionTypes, Message, ProducerBatch, RecordMetadata, TopicMessages } from 'kafkajs';
import { RetryCount, type BackoffPolicy } from './backoff';
import { classifyFailure, isRetriable, type FailureKind } from './failure';
import type { OutgoingRecord } from './produce-record';

/** The part of a kafkajs producer the writer uses. */
export interface WriterProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]>;
}

export interface WriterOptions {
  producer: WriterProducer;
  /** The partition the producer's partitioner gave a message it sent. */
  partitionOf(message: Message): number | undefined;
  acks: -1 | 1 | 0;
  compression: CompressionTypes;
  /** Milliseconds a record may take from write() to the broker's acknowledgement. */
  sendTimeout: number;
  limits: WriterLimits;
  backoff: BackoffPolicy;
  onState(state: WriterState): void;
}

export interface WriterLimits {
  /** Records waiting or in flight; beyond it a write fails at once. */
  maxWaiting: number;
  maxBatchRecords: number;
  /** Bytes of one produce request before compression; Kafka refuses a batch over message.max.bytes (1 MiB). */
  maxBatchBytes: number;
}

export type WriterState =
  | { kind: 'connecting' }
  | { kind: 'connected' }
  | {
      kind: 'retrying';
      failure: FailureKind;
      attempt: number;
      delayMs: number;
      error: unknown;
      waiting: number;
    };

/** Where a written record is. `offset` is null with acks `none`: the broker does not answer. */
export interface WrittenRecord {
  topic: string;
  partition: number;
  offset: string | null;
}

export type WriteFailureKind = 'queue-full' | 'timed-out' | 'closed' | 'refused';

/** Why a record was not written; `cause` is the broker's or kafkajs's error, when there is one. */
export class WriteFailure extends Error {
  constructor(
    readonly kind: WriteFailureKind,
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'WriteFailure';
  }
}

type Phase = 'idle' | 'connecting' | 'ready' | 'backing-off' | 'closed';

interface Entry {
  record: OutgoingRecord;
  settled: boolean;
  /** Sent alone: a request with it in was refused, and it must not fail the records beside it. */
  alone: boolean;
  timer: NodeJS.Timeout;
  resolve(written: WrittenRecord): void;
  reject(failure: WriteFailure): void;
}

/** Failures of the connection, not of the records: the records wait and the writer reconnects. */
const CONNECTION_FAILURES = new Set<FailureKind>([
  'unreachable',
  'connection-closed',
  'auth-failed',
  'tls-failed',
]);
/** The broker's own wait for replicas, kept within kafkajs's request timeout. */
const MAX_REQUEST_TIMEOUT_MS = 30000;

export class RecordWriter {
  private phase: Phase = 'idle';
  private waiting: Entry[] = [];
  private inFlight: Entry[] = [];
  private pumpScheduled = false;
  private closing = false;
  private lastError: unknown;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly retries: RetryCount;
  private drained: (() => void) | undefined;

  constructor(private readonly options: WriterOptions) {
    this.retries = new RetryCount(options.backoff);
  }

  /** Records accepted and not yet written or failed. */
  get pending(): number {
    return this.waiting.length + this.inFlight.length;
  }

  start(): void {
    if (this.phase === 'idle') void this.connect();
  }

  /** Resolves once the broker has the record (acks `none`: once it is sent); rejects with a WriteFailure. */
  write(record: OutgoingRecord): Promise<WrittenRecord> {
    if (this.closing || this.phase === 'closed') {
      return Promise.reject(new WriteFailure('closed', 'the node is closing'));
    }
    const { maxWaiting } = this.options.limits;
    if (this.pending >= maxWaiting) {
      return Promise.reject(
        new WriteFailure('queue-full', `${maxWaiting} records are already waiting`, this.lastError),
      );
    }
    return new Promise((resolve, reject) => {
      const entry: Entry = {
        record,
        settled: false,
        alone: false,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.fail(
            entry,
            new WriteFailure(
              'timed-out',
              `not written within ${this.options.sendTimeout} ms`,
              this.lastError,
            ),
          );
          this.waiting = this.waiting.filter((waiting) => waiting !== entry);
          this.checkDrained();
        }, this.options.sendTimeout),
      };
      this.waiting.push(entry);
      this.schedulePump();
    });
  }

  /**
   * Writes what was accepted, then disconnects. Records not written within `timeoutMs` fail as
   * closed. A writer waiting to reconnect tries again at once.
   */
  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    if (this.phase === 'backing-off') {
      clearTimeout(this.retryTimer);
      void this.connect();
    }
    if (this.pending > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
    }
    for (const entry of [...this.inFlight, ...this.waiting]) {
      this.fail(
        entry,
        new WriteFailure('closed', 'the node closed before the broker acknowledged it', this.lastError),
      );
    }
    this.waiting = [];
    this.phase = 'closed';
    clearTimeout(this.retryTimer);
    await this.options.producer.disconnect();
  }

  private async connect(): Promise<void> {
    this.phase = 'connecting';
    this.options.onState({ kind: 'connecting' });
    try {
      await this.options.producer.connect();
    } catch (error) {
      this.backOff(error);
      return;
    }
    if (this.phase !== 'connecting') return; // closed meanwhile
    this.phase = 'ready';
    this.options.onState({ kind: 'connected' });
    this.schedulePump();
  }

  private backOff(error: unknown): void {
    this.lastError = error;
    if (this.phase === 'closed') return;
    const delayMs = this.retries.failed();
    this.phase = 'backing-off';
    this.options.onState({
      kind: 'retrying',
      failure: classifyFailure(error),
      attempt: this.retries.failures,
      delayMs,
      error,
      waiting: this.pending,
    });
    this.retryTimer = setTimeout(() => void this.connect(), delayMs);
  }

  /** Sends on the next turn of the event loop, so that the msgs Node-RED delivers in one turn go together. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.phase !== 'ready' || this.inFlight.length > 0) return;
    const batch = this.takeBatch();
    if (batch.length === 0) return this.checkDrained();
    this.inFlight = batch;
    let answer: RecordMetadata[];
    try {
      answer = await this.options.producer.sendBatch({
        acks: this.options.acks,
        compression: this.options.compression,
        timeout: Math.min(this.options.sendTimeout, MAX_REQUEST_TIMEOUT_MS),
        topicMessages: topicMessagesOf(batch),
      });
    } catch (error) {
      this.inFlight = [];
      this.handleRefusal(batch, error);
      this.checkDrained();
      return this.schedulePump();
    }
    this.inFlight = [];
    this.retries.healthy();
    this.lastError = undefined;
    this.settleWritten(batch, answer);
    this.checkDrained();
    this.schedulePump();
  }

  /** The oldest waiting records up to the batch limits; a record that must go alone goes alone. */
  private takeBatch(): Entry[] {
    this.waiting = this.waiting.filter((entry) => !entry.settled);
    const { maxBatchRecords, maxBatchBytes } = this.options.limits;
    let count = 0;
    let bytes = 0;
    for (const entry of this.waiting) {
      if (count > 0 && (entry.alone || count >= maxBatchRecords || bytes + entry.record.size > maxBatchBytes))
        break;
      count += 1;
      bytes += entry.record.size;
      if (entry.alone) break;
    }
    return this.waiting.splice(0, count);
  }

  private handleRefusal(batch: Entry[], error: unknown): void {
    this.lastError = error;
    const unsettled = batch.filter((entry) => !entry.settled);
    const failure = classifyFailure(error);
    // A missing topic is retriable to kafkajs, but waiting for it would hold up every other record.
    if (CONNECTION_FAILURES.has(failure) || (failure !== 'topic-missing' && isRetriable(error))) {
      this.waiting.unshift(...unsettled);
      if (this.phase === 'ready') this.backOff(error);
      return;
    }
    if (unsettled.length > 1) {
      // One record may be to blame (a missing topic, a record too large): find it by sending each alone.
      for (const entry of unsettled) entry.alone = true;
      this.waiting.unshift(...unsettled);
      return;
    }
    for (const entry of unsettled)
      this.fail(entry, new WriteFailure('refused', 'the broker refused it', error));
  }

  private settleWritten(batch: Entry[], answer: RecordMetadata[]): void {
    const baseOffsets = new Map(
      answer.map((meta) => [partitionKey(meta.topicName, meta.partition), meta.baseOffset]),
    );
    const positions = new Map<string, number>();
    for (const entry of batch) {
      const { topic, message } = entry.record;
      const partition = this.options.partitionOf(message) ?? -1;
      const key = partitionKey(topic, partition);
      const position = positions.get(key) ?? 0;
      positions.set(key, position + 1);
      const base = baseOffsets.get(key);
      const offset = base === undefined ? null : (BigInt(base) + BigInt(position)).toString();
      if (entry.settled) continue;
      entry.settled = true;
      clearTimeout(entry.timer);
      entry.resolve({ topic, partition, offset });
    }
  }

  private fail(entry: Entry, failure: WriteFailure): void {
    if (entry.settled) return;
    entry.settled = true;
    clearTimeout(entry.timer);
    entry.reject(failure);
  }

  private checkDrained(): void {
    if (this.drained && this.pending === 0) this.drained();
  }
}

function topicMessagesOf(batch: Entry[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const { record } of batch) {
    const messages = byTopic.get(record.topic);
    if (messages) messages.push(record.message);
    else byTopic.set(record.topic, [record.message]);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
