import { CompressionTypes, type Kafka, type Message, type Producer, type Transaction } from 'kafkajs';
import type { OutgoingRecord } from '../producer/produce-record';
import type { PartitionChoices } from '../producer/partition-choices';
import { nextOffset } from '../delivery/completion-watermarks';
import { TransactionWriter, type TransactionWriteSettled } from './transaction-writer';
import { refusedForGood } from './transaction-errors';

/** What a kafka-produce node writes a msg's record through: the transaction of the msg's input records. */
export interface TransactionScope {
  write(record: OutgoingRecord, compression: CompressionTypes, settled: TransactionWriteSettled): void;
}

/**
 * A write for a msg whose transaction has ended: aborted (its record comes again from the committed
 * offset) or given up on. Nothing is lost by not writing it.
 */
export class TransactionEnded extends Error {
  constructor() {
    super('the transaction of the msg’s Kafka record has ended');
    this.name = 'TransactionEnded';
  }
}

/** A record handed to the flow in one of the partition's transactions. */
export interface TransactionTicket {
  readonly generation: number;
  readonly offset: string;
}

/** How a transaction ended: committed with its records' offsets, aborted, or nothing to end. */
export type TransactionEnd = 'committed' | 'aborted' | 'idle';

export interface PartitionTransactionOptions {
  kafka: Kafka;
  groupId: string;
  topic: string;
  partition: number;
  partitions: PartitionChoices;
  /** Milliseconds the broker lets a transaction stay open before it aborts it. */
  transactionTimeout: number;
}

/**
 * The transactional id of one input partition of one group: whichever member owns the partition
 * uses it, so a new owner's start fences the previous one (see README, "Exactly-once pipelines").
 */
export function transactionalIdOf(groupId: string, topic: string, partition: number): string {
  return `${groupId}/${topic}/${partition}`;
}

/**
 * One input partition's transactions, one after the other on its own transactional producer. Each
 * holds what kafka-produce nodes wrote for the partition's records handed to the flow since the last
 * one, and commits with the offset after the last of them once every one of them is finished.
 * Whatever spoils a transaction (a write refused, a msg dropped by a flow stop) makes it abort: its
 * records are delivered again from the committed offset.
 */
export class PartitionTransaction {
  readonly topic: string;
  readonly partition: number;
  /** The offset to read next by the group's last commit; undefined until looked up after begin(). */
  committed: string | undefined;
  private readonly producer: Producer;
  private transaction: Transaction | undefined;
  private writer: TransactionWriter | undefined;
  /** Counts the transactions: a ticket or scope of an earlier one writes nothing any more. */
  private generation = 0;
  private started = 0;
  private unfinished = 0;
  private lastStarted: string | undefined;
  /** A position set by a seek or a start look-up, to be committed by the next transaction. */
  private moved: string | undefined;
  private spoiled = false;
  /** After a request of several records was refused: one record per request, to find the one. */
  private singly = false;
  /** Records whose own write was refused for good, by offset: they fail on their next delivery. */
  private readonly refused = new Map<string, unknown>();
  private drainedWaiters: (() => void)[] = [];

  constructor(private readonly options: PartitionTransactionOptions) {
    this.topic = options.topic;
    this.partition = options.partition;
    this.producer = options.kafka.producer({
      transactionalId: transactionalIdOf(options.groupId, options.topic, options.partition),
      maxInFlightRequests: 1,
      transactionTimeout: options.transactionTimeout,
      createPartitioner: options.partitions.createPartitioner,
      allowAutoTopicCreation: false,
    });
  }

  /**
   * Connects and starts the first transaction. kafkajs initialises the transactional id first: the
   * broker finishes or aborts what a previous owner left open and fences that owner from then on.
   */
  async begin(): Promise<void> {
    await this.producer.connect();
    await this.open();
  }

  /** Records handed to the flow in the open transaction and not yet finished. */
  get inFlight(): number {
    return this.unfinished;
  }

  /** Whether the open transaction has anything to commit or abort. */
  get hasWork(): boolean {
    return this.started > 0 || this.moved !== undefined || this.spoiled;
  }

  get recordsStarted(): number {
    return this.started;
  }

  /** A record handed to the flow in the open transaction. */
  start(offset: string): TransactionTicket {
    // Without a commit of the group yet, an abort goes back to the first record this member read.
    this.committed ??= offset;
    this.started += 1;
    this.unfinished += 1;
    this.lastStarted = offset;
    return { generation: this.generation, offset };
  }

  /** The record's flow ended (finished, failed and dead-lettered, or given up on). */
  finish(ticket: TransactionTicket): void {
    if (ticket.generation !== this.generation) return;
    this.unfinished -= 1;
    if (this.unfinished > 0) return;
    for (const wake of this.drainedWaiters.splice(0)) wake();
  }

  /** The record was dropped by a flow stop, or its write refused: the transaction must abort. */
  spoil(ticket: TransactionTicket): void {
    if (ticket.generation === this.generation) this.spoiled = true;
  }

  isSpoiled(ticket: TransactionTicket): boolean {
    return ticket.generation !== this.generation || this.spoiled;
  }

  /** Why the record's write was refused for good on an earlier delivery, if it was; asked once. */
  takeRefusal(offset: string): unknown {
    const refusal = this.refused.get(offset);
    this.refused.delete(offset);
    return refusal;
  }

  /**
   * Where a seek or a start look-up moved the partition: the next transaction commits it, and an
   * abort before then goes back to it rather than to where the partition was.
   */
  moveTo(offset: string): void {
    this.moved = offset;
    this.committed = offset;
  }

  /** Writes for msgs of the records of `ticket`s (one, or a batch msg's) in their transaction. */
  scope(tickets: readonly TransactionTicket[]): TransactionScope {
    const { generation } = tickets[0];
    return {
      write: (record, compression, settled) => {
        if (generation !== this.generation || !this.writer) return settled(new TransactionEnded());
        this.writer.write(record, compression, settled, (error) => {
          if (refusedForGood(error)) for (const { offset } of tickets) this.refused.set(offset, error);
        });
      },
    };
  }

  /** Writes a dead letter in the record's transaction; rejects when it was refused. */
  deadLetter(ticket: TransactionTicket, topic: string, message: Message): Promise<void> {
    const size = (message.value?.length ?? 0) + (message.key?.length ?? 0) + 64;
    return new Promise((resolve, reject) =>
      this.scope([ticket]).write({ topic, message, size }, CompressionTypes.None, (error) =>
        error === undefined
          ? resolve()
          : reject(error instanceof Error ? error : new Error('dead letter refused')),
      ),
    );
  }

  /**
   * Ends the open transaction once its records are all finished: commits it with the offset after
   * the last of them, or aborts it when it was spoiled. Then opens the next one. Rejects when the
   * broker refused the commit or the abort (fenced, or away): the producer is then of no more use.
   */
  async end(): Promise<TransactionEnd> {
    await this.drained();
    await this.writer?.flushed();
    const offset = this.lastStarted === undefined ? this.moved : nextOffset(this.lastStarted);
    const spoiled = this.spoiled;
    const transaction = this.transaction!;
    this.seal();
    if (spoiled) {
      await transaction.abort();
      await this.open();
      return 'aborted';
    }
    // Nothing was written or moved: the transaction never reached the broker and stays the open one.
    if (offset === undefined) {
      this.use(transaction);
      return 'idle';
    }
    const { groupId } = this.options;
    const { topic, partition } = this;
    await transaction.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic, partitions: [{ partition, offset }] }],
    });
    await transaction.commit();
    this.committed = offset;
    this.singly = false;
    await this.open();
    return 'committed';
  }

  /** Aborts the open transaction whatever it holds (a closing trigger whose records did not all finish). */
  async abort(): Promise<void> {
    const transaction = this.transaction;
    this.seal();
    if (transaction?.isActive()) await transaction.abort();
  }

  async disconnect(): Promise<void> {
    this.seal();
    await this.producer.disconnect();
  }

  private async open(): Promise<void> {
    this.use(await this.producer.transaction());
  }

  private use(transaction: Transaction): void {
    this.transaction = transaction;
    this.writer = new TransactionWriter(
      transaction,
      (message) => this.options.partitions.partitionOf(message),
      this.singly,
      (_error, records) => {
        this.spoiled = true;
        if (records > 1) this.singly = true;
      },
    );
  }

  /** Closes the open transaction to writes and forgets its records: what comes later belongs to the next. */
  private seal(): void {
    this.generation += 1;
    this.writer = undefined;
    this.started = 0;
    this.unfinished = 0;
    this.lastStarted = undefined;
    this.moved = undefined;
    this.spoiled = false;
    for (const wake of this.drainedWaiters.splice(0)) wake();
  }

  private drained(): Promise<void> {
    if (this.unfinished === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainedWaiters.push(resolve));
  }
}
