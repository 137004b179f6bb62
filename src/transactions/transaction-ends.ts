import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { MemberAssignment } from '../consumer/assignment';
import type { PartitionControl } from '../consumer/partition-control';
import type { PartitionChoices } from '../producer/partition-choices';
import { AbortBackoff } from './abort-backoff';
import { committedOffset } from './committed-offset';
import { PartitionTransaction, type TransactionEnd } from './partition-transaction';

/** What a closing trigger gives its transactions to commit or abort, after the drain, before it disconnects. */
const CLOSE_END_MS = 3000;
/** Kafka's default transaction.max.timeout.ms: a broker refuses a producer that asks for more. */
const MAX_TRANSACTION_TIMEOUT_MS = 900000;
/** Room for a transaction's commit beyond the time its records may take. */
const TRANSACTION_TIMEOUT_MARGIN_MS = 30000;

export interface TransactionEndsOptions {
  consumer: Consumer;
  kafka: Kafka;
  partitions: PartitionChoices;
  admin: () => Promise<Admin>;
  control: Pick<PartitionControl, 'holdBack' | 'release'>;
  groupId: string;
  transactionInterval: number;
  completeTimeout: number;
  onTransactionEnd(end: Exclude<TransactionEnd, 'idle'>): void;
  failSession(error: unknown): void;
}

/**
 * The transactions of the partitions this member owns: each is started when its partition is
 * assigned (fencing the previous owner) before any record of it goes to the flow, and ended on the
 * interval, when full, before a seek and on close. While a partition starts, it is held back from
 * the flow and from fetching; while it ends, its records wait (afterEnd); after an abort it goes
 * back to its committed offset.
 */
export class TransactionEnds {
  private readonly owned = new Map<string, PartitionTransaction>();
  private readonly starting = new Map<PartitionTransaction, Promise<void>>();
  private readonly ending = new Map<PartitionTransaction, Promise<boolean>>();
  private closed = false;
  /** The member id of the last assignment. */
  private memberId: string | undefined;
  private readonly backoff = new AbortBackoff<PartitionTransaction>();

  constructor(private readonly options: TransactionEndsOptions) {}

  /** The partition's transaction while it takes records: started, and not ending. */
  ready(topic: string, partition: number): PartitionTransaction | undefined {
    const transaction = this.owned.get(`${topic}:${partition}`);
    if (!transaction || this.starting.has(transaction) || this.ending.has(transaction)) return undefined;
    return transaction;
  }

  /** A new assignment: partitions lost end their transactions, partitions gained start theirs. */
  assigned(
    assignment: MemberAssignment,
    isAssigned: (topic: string, partition: number) => boolean,
    memberId?: string,
  ): void {
    if (this.closed) return;
    // Dropped by the group meanwhile (frozen past its session timeout, say): another member may have
    // owned and committed its partitions since, so each starts afresh from the group's offset.
    const rejoined = this.memberId !== undefined && memberId !== undefined && memberId !== this.memberId;
    this.memberId = memberId ?? this.memberId;
    for (const [key, transaction] of this.owned) {
      if (!rejoined && isAssigned(transaction.topic, transaction.partition)) {
        this.resume(transaction);
        continue;
      }
      this.owned.delete(key);
      void this.dispose(transaction);
    }
    for (const [topic, partitions] of Object.entries(assignment))
      for (const partition of partitions) {
        const key = `${topic}:${partition}`;
        if (this.owned.has(key)) continue;
        const transaction = this.newTransaction(topic, partition);
        this.owned.set(key, transaction);
        this.track(transaction, this.start(transaction));
      }
  }

  /**
   * The partition's transaction once the end under way (if any) has finished, heartbeating while
   * it waits for the records in the flow; undefined while the partition starts, or once closed.
   */
  async afterEnd(
    topic: string,
    partition: number,
    heartbeat: () => Promise<void>,
    heartbeatMs: number,
  ): Promise<PartitionTransaction | undefined> {
    for (;;) {
      const transaction = this.owned.get(`${topic}:${partition}`);
      if (!transaction || this.closed || this.starting.has(transaction)) return undefined;
      const ending = this.ending.get(transaction);
      if (!ending) return transaction;
      let timer: NodeJS.Timeout | undefined;
      const beat = new Promise<false>((resolve) => (timer = setTimeout(resolve, heartbeatMs, false)));
      const ended = await Promise.race([ending.then(() => true), beat]);
      clearTimeout(timer);
      if (!ended) await heartbeat();
    }
  }

  /** Ends every transaction that has records or a move, unless it is starting or ending already. */
  endAllDue(): void {
    for (const transaction of this.owned.values())
      if (transaction.hasWork && this.ready(transaction.topic, transaction.partition))
        void this.end(transaction);
  }

  /** Ends the transaction now (it is full). */
  endSoon(transaction: PartitionTransaction): void {
    void this.end(transaction);
  }

  /** Ends the partition's transaction; false when that takes over `budgetMs` or fails. */
  async endNow(topic: string, partition: number, budgetMs: number): Promise<boolean> {
    const transaction = this.owned.get(`${topic}:${partition}`);
    if (!transaction) return true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, budgetMs, false)));
    const ended = (async () => {
      await this.starting.get(transaction);
      return this.end(transaction);
    })();
    try {
      return await Promise.race([ended, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  moveTo(topic: string, partition: number, offset: string): void {
    this.owned.get(`${topic}:${partition}`)?.moveTo(offset);
  }

  /**
   * Commits the transactions whose records are all finished and aborts the others (their records
   * come again), then disconnects. Bounded: what the broker has not answered by then, it aborts
   * itself when the next owner starts the partition, or after the transaction timeout.
   */
  async close(budgetMs: number): Promise<void> {
    this.closed = true;
    this.backoff.close();
    const transactions = [...this.owned.values()];
    this.owned.clear();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, budgetMs + CLOSE_END_MS)));
    const ended = Promise.all(transactions.map((transaction) => this.closeOne(transaction, budgetMs)));
    await Promise.race([ended, late]);
    clearTimeout(timer);
    await Promise.all(transactions.map((transaction) => transaction.disconnect().catch(() => undefined)));
  }

  private async closeOne(transaction: PartitionTransaction, budgetMs: number): Promise<void> {
    await this.starting.get(transaction);
    const ending = this.ending.get(transaction);
    if (ending) await ending;
    // A record still in the flow may yet write: its transaction cannot commit.
    const drained = await this.drainedWithin(transaction, budgetMs);
    if (drained) await this.end(transaction);
    else await transaction.abort().catch(() => undefined);
  }

  private async drainedWithin(transaction: PartitionTransaction, budgetMs: number): Promise<boolean> {
    const deadline = Date.now() + budgetMs;
    while (transaction.inFlight > 0) {
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  private newTransaction(topic: string, partition: number): PartitionTransaction {
    const { kafka, groupId, partitions, completeTimeout, transactionInterval } = this.options;
    return new PartitionTransaction({
      kafka,
      groupId,
      topic,
      partition,
      partitions,
      transactionTimeout: Math.min(
        completeTimeout + transactionInterval + TRANSACTION_TIMEOUT_MARGIN_MS,
        MAX_TRANSACTION_TIMEOUT_MS,
      ),
    });
  }

  /**
   * Starts the partition's transactions, then moves it to the group's committed offset: read only
   * now, after the start has finished what a previous owner left open, it includes that owner's
   * last commit. Until then the partition's records stay out of the flow.
   */
  private async start(transaction: PartitionTransaction): Promise<void> {
    const { consumer, control, admin, groupId } = this.options;
    const { topic, partition } = transaction;
    const held = [{ topic, partitions: [partition] }];
    control.holdBack(consumer, held);
    try {
      await transaction.begin();
      const committed = await committedOffset(await admin(), groupId, topic, partition);
      if (!this.isOwned(transaction)) return;
      if (committed !== undefined) {
        consumer.seek({ topic, partition, offset: committed });
        transaction.startAt(committed);
      }
    } catch (error) {
      if (this.isOwned(transaction)) this.options.failSession(error);
    } finally {
      control.release(this.closed ? undefined : consumer, held);
    }
  }

  /** Ends the open transaction (once at a time); an abort sends the partition back to its committed offset. */
  private end(transaction: PartitionTransaction): Promise<boolean> {
    const under = this.ending.get(transaction);
    if (under) return under;
    // Not paused in kafkajs: a consumer whose partitions are all paused sleeps a whole fetch wait
    // (1 s) before it fetches again. The delivery hands none of its records over meanwhile (afterEnd).
    const ending = (async () => {
      try {
        const end = await transaction.end();
        if (end !== 'idle') this.options.onTransactionEnd(end);
        if (end === 'aborted') await this.rewind(transaction);
        await this.backoff.after(transaction, end);
        return true;
      } catch (error) {
        // A partition given up meanwhile (closing, or lost to a rebalance) fails nothing more.
        if (this.isOwned(transaction)) this.options.failSession(error);
        return false;
      } finally {
        this.ending.delete(transaction);
      }
    })();
    this.ending.set(transaction, ending);
    return ending;
  }

  /**
   * Sends an aborted partition back to its committed offset. A renewed producer started the id
   * again, which finished whatever another user of the id left: the group's offset is read anew.
   */
  private async rewind(transaction: PartitionTransaction): Promise<void> {
    const { consumer, admin, groupId } = this.options;
    const { topic, partition } = transaction;
    if (transaction.renewed) {
      transaction.renewed = false;
      const committed = await committedOffset(await admin(), groupId, topic, partition);
      if (committed !== undefined) transaction.startAt(committed);
    }
    if (transaction.committed === undefined || !this.isOwned(transaction)) return;
    transaction.rewind();
    consumer.seek({ topic, partition, offset: transaction.committed });
  }

  /**
   * A partition kept through a rebalance: kafkajs reads it again from the group's committed offset,
   * which lies before the records of the open transaction (and may predate a commit under way), so
   * they would go to the flow a second time. It reads on from where this member is instead. A
   * partition still starting seeks to its committed offset itself; an abort under way seeks after this.
   */
  private resume(transaction: PartitionTransaction): void {
    const { position, topic, partition } = transaction;
    if (this.starting.has(transaction) || position === undefined) return;
    try {
      this.options.consumer.seek({ topic, partition, offset: position });
    } catch (error) {
      this.options.failSession(error);
    }
  }

  /** Keeps the partition out of ready() while it starts. */
  private track(transaction: PartitionTransaction, work: Promise<void>): void {
    this.starting.set(transaction, work);
    void work.finally(() => {
      if (this.starting.get(transaction) === work) this.starting.delete(transaction);
    });
  }

  /** A partition lost to a rebalance: its open transaction aborts, its records come again elsewhere. */
  private async dispose(transaction: PartitionTransaction): Promise<void> {
    await this.starting.get(transaction);
    await this.ending.get(transaction);
    await transaction.abort().catch(() => undefined);
    await transaction.disconnect().catch(() => undefined);
  }

  private isOwned(transaction: PartitionTransaction): boolean {
    return !this.closed && this.owned.get(`${transaction.topic}:${transaction.partition}`) === transaction;
  }
}
