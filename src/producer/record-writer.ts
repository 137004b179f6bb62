// Writes the records of one kafka-produce node. Records that arrive while a produce request is in
// flight wait and go out together in the next one (one request at a time, so each partition gets
// them in arrival order); a lone record goes out at once. While the broker cannot be reached,
// records wait, capped in number, each until its send timeout; the connection is retried with backoff.
// With an idempotent producer a request that failed on the way goes again unchanged, first: the broker
// knows it by the sequence numbers of its records and writes it once.
import type { RecordMetadata } from 'kafkajs';
import { RetryCount } from '../client/backoff';
import { classifyFailure, isRetriable, type FailureKind } from '../client/failure';
import type { OutgoingRecord } from './produce-record';
import { WriteFailure, type WriteSettled, type WriterOptions } from './writer-types';
import { topicMessagesOf, writtenRecords } from './written-offsets';

type Phase = 'idle' | 'connecting' | 'ready' | 'backing-off' | 'closed';

interface Entry {
  record: OutgoingRecord;
  settled: boolean;
  /**
   * The most records it may go with: a request with it in was refused, and halving the requests
   * finds the record to blame without failing those beside it.
   */
  together: number;
  /** When it fails as timed out (Date.now() milliseconds). */
  deadline: number;
  onSettled: WriteSettled;
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
  /** Idempotent: the request that failed on the way, to send again as it was (its timed-out records too). */
  private unanswered: Entry[] | undefined;
  private pumpScheduled = false;
  private closing = false;
  private lastError: unknown;
  private retryTimer: NodeJS.Timeout | undefined;
  /** One timer for every record's send timeout: they expire in the order they were written. */
  private deadlineTimer: NodeJS.Timeout | undefined;
  private readonly retries: RetryCount;
  private drained: (() => void) | undefined;

  constructor(private readonly options: WriterOptions) {
    this.retries = new RetryCount(options.backoff);
  }

  /** Records accepted and not yet written or failed. */
  get pending(): number {
    const unanswered = this.unanswered?.filter((entry) => !entry.settled).length ?? 0;
    return this.waiting.length + this.inFlight.length + unanswered;
  }

  start(): void {
    if (this.phase === 'idle') void this.connect();
  }

  /**
   * Tells `onSettled` once, when the broker has the record (acks `none`: once it is sent) or why it
   * was not written. A callback, not a Promise: a busy flow writes tens of thousands a second.
   */
  write(record: OutgoingRecord, onSettled: WriteSettled): void {
    if (this.closing || this.phase === 'closed') {
      return onSettled(new WriteFailure('closed', 'the node is closing'));
    }
    const { maxWaiting } = this.options.limits;
    if (this.pending >= maxWaiting) {
      return onSettled(
        new WriteFailure('queue-full', `${maxWaiting} records are already waiting`, this.lastError),
      );
    }
    this.waiting.push({
      record,
      settled: false,
      together: Infinity,
      deadline: Date.now() + this.options.sendTimeout,
      onSettled,
    });
    this.armDeadline();
    this.schedulePump();
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
    for (const entry of [...this.inFlight, ...(this.unanswered ?? []), ...this.waiting]) {
      this.fail(
        entry,
        new WriteFailure('closed', 'the node closed before the broker acknowledged it', this.lastError),
      );
    }
    this.waiting = [];
    this.phase = 'closed';
    clearTimeout(this.retryTimer);
    clearTimeout(this.deadlineTimer);
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
    const batch = this.unanswered ?? this.takeBatch();
    this.unanswered = undefined;
    if (batch.length === 0) return this.checkDrained();
    this.inFlight = batch;
    let answer: RecordMetadata[];
    try {
      answer = await this.options.producer.sendBatch({
        acks: this.options.acks,
        compression: this.options.compression,
        timeout: Math.min(this.options.sendTimeout, MAX_REQUEST_TIMEOUT_MS),
        topicMessages: topicMessagesOf(batch.map((entry) => entry.record)),
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
    // Before the records are settled, so the next request goes out ahead of the msgs they send on.
    this.schedulePump();
    this.settleWritten(batch, answer);
    this.checkDrained();
  }

  /** The oldest waiting records up to the batch limits, and to what the first may go with. */
  private takeBatch(): Entry[] {
    this.waiting = this.waiting.filter((entry) => !entry.settled);
    const { maxBatchBytes } = this.options.limits;
    const maxRecords = Math.min(this.options.limits.maxBatchRecords, this.waiting[0]?.together ?? Infinity);
    let count = 0;
    let bytes = 0;
    for (const entry of this.waiting) {
      if (count > 0 && (count >= maxRecords || bytes + entry.record.size > maxBatchBytes)) break;
      count += 1;
      bytes += entry.record.size;
    }
    return this.waiting.splice(0, count);
  }

  /** Fails the records whose send timeout has passed, then waits for the next one's. */
  private armDeadline(): void {
    if (this.deadlineTimer || this.phase === 'closed') return;
    // In flight (or unanswered) are older than waiting, and each list is in the order of writing.
    const next = this.unsettled()[0];
    if (!next) return;
    this.deadlineTimer = setTimeout(
      () => {
        this.deadlineTimer = undefined;
        const now = Date.now();
        const expired = (entry: Entry): boolean => !entry.settled && entry.deadline <= now;
        for (const entry of this.unsettled().filter(expired)) {
          const message = `not written within ${this.options.sendTimeout} ms`;
          this.fail(entry, new WriteFailure('timed-out', message, this.lastError));
        }
        this.waiting = this.waiting.filter((entry) => !entry.settled);
        this.checkDrained();
        this.armDeadline();
      },
      Math.max(0, next.deadline - Date.now()),
    );
  }

  /** Unsettled records, oldest first. */
  private unsettled(): Entry[] {
    return [...this.inFlight, ...(this.unanswered ?? []), ...this.waiting].filter((entry) => !entry.settled);
  }

  private handleRefusal(batch: Entry[], error: unknown): void {
    this.lastError = error;
    const unsettled = batch.filter((entry) => !entry.settled);
    const failure = classifyFailure(error);
    // A missing topic is retriable to kafkajs, but waiting for it would hold up every other record.
    if (CONNECTION_FAILURES.has(failure) || (failure !== 'topic-missing' && isRetriable(error))) {
      // The broker may have written it: sent again with other records, its numbers would clash.
      if (this.options.idempotent) this.unanswered = batch;
      else this.waiting.unshift(...unsettled);
      if (this.phase === 'ready') this.backOff(error);
      return;
    }
    if (unsettled.length > 1) {
      // One record may be to blame (a missing topic, a record too large): halve the request until
      // the requests with it in hold it alone.
      const together = Math.ceil(unsettled.length / 2);
      for (const entry of unsettled) entry.together = together;
      this.waiting.unshift(...unsettled);
      return;
    }
    for (const entry of unsettled)
      this.fail(entry, new WriteFailure('refused', 'the broker refused it', error));
  }

  private settleWritten(batch: Entry[], answer: RecordMetadata[]): void {
    const written = writtenRecords(
      batch.map((entry) => entry.record),
      answer,
      (message) => this.options.partitionOf(message),
    );
    batch.forEach((entry, index) => {
      if (entry.settled) return;
      entry.settled = true;
      entry.onSettled(undefined, written[index]);
    });
  }

  private fail(entry: Entry, failure: WriteFailure): void {
    if (entry.settled) return;
    entry.settled = true;
    entry.onSettled(failure);
  }

  private checkDrained(): void {
    if (this.drained && this.pending === 0) this.drained();
  }
}
