// What a record writer works with: its producer, options and limits, the states it reports, and
// what a write resolves with or why it failed.
import type { CompressionTypes, Message, ProducerBatch, RecordMetadata } from 'kafkajs';
import type { BackoffPolicy } from '../client/backoff';
import type { FailureKind } from '../client/failure';

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
  /** The producer is idempotent: a request that failed on the way is sent again unchanged. */
  idempotent: boolean;
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
  offset: number | null;
}

/** How a write ends: written, or the reason it was not. */
export type WriteSettled = (failure: WriteFailure | undefined, written?: WrittenRecord) => void;

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
