import type { CompressionTypes, Message, Transaction } from 'kafkajs';
import type { OutgoingRecord } from '../producer/produce-record';
import { topicMessagesOf, writtenRecords } from '../producer/written-offsets';
import type { WrittenRecord } from '../producer/writer-types';

/** Bytes of one produce request before compression: inside Kafka's default message.max.bytes (1 MiB). */
const MAX_REQUEST_BYTES = 900_000;

/** How a write into a transaction ends: written (not yet visible: that waits for the commit), or refused. */
export type TransactionWriteSettled = (error: unknown, written?: WrittenRecord) => void;

interface Waiting {
  record: OutgoingRecord;
  compression: CompressionTypes;
  settled: TransactionWriteSettled;
  /** Told when a request of this record alone was refused: the refusal is the record's own. */
  refusedAlone: ((error: unknown) => void) | undefined;
}

/**
 * Writes records into one Kafka transaction, one request at a time: what arrives while a request is
 * under way goes in the next one. kafkajs's transactional producer keeps one request in flight, so
 * a request per record would make every record wait for all before it.
 */
export class TransactionWriter {
  private waiting: Waiting[] = [];
  private sending: Promise<void> | undefined;

  /**
   * `singly`: one record per request, so that a refusal names its record (after a refused request
   * of several). `onRefused` hears of each refused request before its records are settled.
   */
  constructor(
    private readonly transaction: Transaction,
    private readonly partitionOf: (message: Message) => number | undefined,
    private readonly singly: boolean,
    private readonly onRefused: (error: unknown, records: number) => void,
  ) {}

  write(
    record: OutgoingRecord,
    compression: CompressionTypes,
    settled: TransactionWriteSettled,
    refusedAlone?: (error: unknown) => void,
  ): void {
    this.waiting.push({ record, compression, settled, refusedAlone });
    this.sending ??= this.sendWaiting();
  }

  /** Resolves once every record written so far is written or refused. */
  async flushed(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private async sendWaiting(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const request = this.nextRequest();
        const records = request.map((entry) => entry.record);
        try {
          const answer = await this.transaction.sendBatch({
            topicMessages: topicMessagesOf(records),
            acks: -1,
            compression: request[0].compression,
          });
          const written = writtenRecords(records, answer, this.partitionOf);
          request.forEach((entry, index) => entry.settled(undefined, written[index]));
        } catch (error) {
          this.onRefused(error, request.length);
          if (request.length === 1) request[0].refusedAlone?.(error);
          for (const entry of request) entry.settled(error);
        }
      }
    } finally {
      // Cleared in the turn the last request settles, not a turn later: a write meanwhile (the next
      // of awaited dead letters) would otherwise find a sender that has stopped, and wait forever.
      this.sending = undefined;
    }
  }

  /** The waiting records of the first one's compression, in order, up to the request's size. */
  private nextRequest(): Waiting[] {
    const { compression } = this.waiting[0];
    const request: Waiting[] = [];
    const rest: Waiting[] = [];
    let bytes = 0;
    for (const entry of this.waiting) {
      const fits =
        entry.compression === compression &&
        (request.length === 0 || (!this.singly && bytes + entry.record.size <= MAX_REQUEST_BYTES));
      if (fits) {
        request.push(entry);
        bytes += entry.record.size;
      } else rest.push(entry);
    }
    this.waiting = rest;
    return request;
  }
}
