import { CompressionTypes, type Kafka, type Message, type Transaction } from 'kafkajs';
import type { PartitionChoices } from '../producer/partition-choices';
import { nextOffset } from '../delivery/completion-watermarks';
import { RecordRefusals } from './record-refusals';
import { isRetriable } from './transaction-errors';
import { TransactionalProducer } from './transactional-producer';
import { TransactionEnded, type TransactionScope } from './transaction-scope';
import { TransactionWriter } from './transaction-writer';

/** Tries of sending a transaction's offsets while the coordinator still finishes the one before. */
const SEND_OFFSETS_TRIES = 5;
const SEND_OFFSETS_RETRY_MS = 100;
/** How long before the broker's transaction timeout a transaction whose records do not finish gives up. */
const TIMEOUT_MARGIN_MS = 10000;

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
  /** The offset after the last record handed to the flow: where the partition reads on. */
  position: string | undefined;
  private readonly producer: TransactionalProducer;
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
  /** A request was refused: the producer must be renewed (see TransactionalProducer.renew). */
  private refusedWrite = false;
  /** After a request of several records was refused: one record per request, to find the one. */
  private singly = false;
  private readonly refusals = new RecordRefusals();
  private drainedWaiters: (() => void)[] = [];
  /** When the open transaction was opened (kafkajs begins it locally; the broker's clock starts at its first write). */
  private openedAt = Date.now();

  constructor(private readonly options: PartitionTransactionOptions) {
    const { kafka, groupId, topic, partition, partitions, transactionTimeout } = options;
    this.topic = topic;
    this.partition = partition;
    this.producer = new TransactionalProducer({
      kafka,
      transactionalId: transactionalIdOf(groupId, topic, partition),
      partitions,
      transactionTimeout,
    });
  }

  /**
   * Connects and starts the first transaction. kafkajs initialises the transactional id first: the
   * broker finishes or aborts what a previous owner left open and fences that owner from then on.
   */
  async begin(): Promise<void> {
    this.use(await this.producer.start());
  }

  /** The group's committed offset, read after begin(): the partition starts there. */
  startAt(offset: string): void {
    this.committed = offset;
    this.position = offset;
  }

  /** After an abort: the partition reads again from its committed offset. */
  rewind(): void {
    this.position = this.committed;
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
    this.position = nextOffset(offset);
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
    return this.refusals.take(offset);
  }

  /**
   * Where a seek or a start look-up moved the partition: the next transaction commits it, and an
   * abort before then goes back to it rather than to where the partition was.
   */
  moveTo(offset: string): void {
    this.moved = offset;
    this.committed = offset;
    this.position = offset;
  }

  /** Writes for msgs of the records of `ticket`s (one, or a batch msg's) in their transaction. */
  scope(tickets: readonly TransactionTicket[]): TransactionScope {
    const { generation } = tickets[0];
    return {
      write: (record, compression, settled) => {
        if (generation !== this.generation || !this.writer) return settled(new TransactionEnded());
        const offsets = tickets.map((ticket) => ticket.offset);
        this.writer.write(record, compression, settled, (error) =>
          this.refusals.refusedAlone(offsets, error),
        );
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
   * the last of them, or aborts it when it was spoiled, or when its records did not finish well
   * within the broker's transaction timeout (the broker would abort it anyway). Then opens the next
   * one. Rejects when the broker refused the commit or the abort (fenced, or away): the producer is
   * then of no more use.
   */
  async end(): Promise<TransactionEnd> {
    const timeLeft = this.options.transactionTimeout - TIMEOUT_MARGIN_MS - (Date.now() - this.openedAt);
    const drained = await this.drained(timeLeft);
    const offset = this.lastStarted === undefined ? this.moved : nextOffset(this.lastStarted);
    const { writer, transaction } = this;
    const spoiledBefore = this.spoiled || !drained;
    // Sealed first: a late write (of a msg settled already) is refused rather than raced by the commit.
    this.seal();
    await writer?.flushed();
    if (spoiledBefore || this.refusedWrite) {
      await transaction!.abort();
      const renew = this.refusedWrite;
      this.refusedWrite = false;
      this.use(await (renew ? this.producer.renew() : this.producer.next()));
      return 'aborted';
    }
    // Nothing was written or moved: the transaction never reached the broker and stays the open one.
    if (offset === undefined) {
      this.use(transaction!);
      return 'idle';
    }
    await this.sendOffsets(transaction!, offset);
    await transaction!.commit();
    this.committed = offset;
    this.singly = false;
    this.refusals.committed();
    this.use(await this.producer.next());
    return 'committed';
  }

  /** Aborts the open transaction whatever it holds (a closing trigger whose records did not all finish). */
  async abort(): Promise<void> {
    const transaction = this.transaction;
    this.seal();
    if (transaction?.isActive()) await transaction.abort();
  }

  /** Disconnects for good: a start or an end under way opens nothing more. */
  async disconnect(): Promise<void> {
    this.seal();
    await this.producer.dispose();
  }

  /**
   * kafkajs does not retry AddOffsetsToTxn when the coordinator is still finishing the transaction
   * before (CONCURRENT_TRANSACTIONS); the transaction stays open meanwhile, so asking again is safe.
   */
  private async sendOffsets(transaction: Transaction, offset: string): Promise<void> {
    const { topic, partition } = this;
    const offsets = {
      consumerGroupId: this.options.groupId,
      topics: [{ topic, partitions: [{ partition, offset }] }],
    };
    for (let tries = 1; ; tries += 1) {
      try {
        return await transaction.sendOffsets(offsets);
      } catch (error) {
        if (tries >= SEND_OFFSETS_TRIES || !isRetriable(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, SEND_OFFSETS_RETRY_MS * tries));
      }
    }
  }

  private use(transaction: Transaction): void {
    this.transaction = transaction;
    this.openedAt = Date.now();
    const generation = this.generation;
    this.writer = new TransactionWriter(
      transaction,
      (message) => this.options.partitions.partitionOf(message),
      this.singly,
      (_error, records) => {
        // Whichever transaction it was, the producer's record numbers are off now (see renew()).
        this.refusedWrite = true;
        if (generation === this.generation) this.spoiled = true;
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

  /** Resolves true once every record of the open transaction is finished, or false after `ms`. */
  private drained(ms: number): Promise<boolean> {
    if (this.unfinished === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.unfinished === 0), Math.max(ms, 0));
      this.drainedWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
