import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { isAssigned, type MemberAssignment } from '../consumer/assignment';
import { deadLetterMessage } from '../consumer/dead-letter';
import type { PartitionControl } from '../consumer/partition-control';
import { StopSignal } from '../consumer/stop-signal';
import { decodeBatch, type RecordDecoder } from '../formats/record-decoder';
import type { ProcessingClock } from '../formats/trigger-data';
import type { PartitionChoices } from '../producer/partition-choices';
import {
  PartitionTransaction,
  type TransactionEnd,
  type TransactionTicket,
} from '../transactions/partition-transaction';
import { TransactionEnds } from '../transactions/transaction-ends';
import type { BatchDelivery, DeliveryHooks, FetchedBatch, FlowOutcome } from './delivery';
import type { InFlightLimit } from './in-flight-limit';
import { readyToSend, type SendReadiness } from './send-readiness';

/** A transaction commits early once it holds this many records, so that its drain stays short. */
const MAX_TRANSACTION_RECORDS = 5000;
/** Records handed over between two looks at the limit, the flows and the partition's state. */
const PART_RECORDS = 256;

export interface ExactlyOnceDeliveryOptions {
  consumer: Consumer;
  /** For the partitions' transactional producers. */
  kafka: Kafka;
  partitions: PartitionChoices;
  admin: () => Promise<Admin>;
  /** Holds a partition back from the flow and from fetching while its transaction starts. */
  control: Pick<PartitionControl, 'holdBack' | 'release' | 'hold'>;
  hooks: DeliveryHooks;
  decoder: RecordDecoder;
  clock: ProcessingClock;
  limit: InFlightLimit;
  heartbeatInterval: number;
  batchSize: number | undefined;
  groupId: string;
  deadLetterTopic: string | undefined;
  transactionInterval: number;
  /** complete_timeout: a transaction stays open at most this long, plus its interval. */
  completeTimeout: number;
  /** Told how each transaction ended. */
  onTransactionEnd(end: Exclude<TransactionEnd, 'idle'>): void;
  /** The broker refused a commit, an abort or a start (fenced, or away): the session cannot go on. */
  failSession(error: unknown): void;
}

/** A record in the flow, in its partition's open transaction. */
interface Started {
  transaction: PartitionTransaction;
  ticket: TransactionTicket;
  record: KafkaMessage;
}

/**
 * Exactly-once delivery: records are tracked as in complete delivery, and each input partition's
 * offsets are committed only inside its Kafka transactions, together with what kafka-produce nodes
 * wrote for its records (see PartitionTransaction). Every `transactionInterval` ms a partition with
 * records stops taking more, waits until they are all finished and ends its transaction; partitions
 * do so independently. An aborted transaction sends the partition back to its committed offset.
 */
export class ExactlyOnceDelivery implements BatchDelivery {
  private readonly stop = new StopSignal();
  private readonly ends: TransactionEnds;
  private readonly readiness: SendReadiness;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: ExactlyOnceDeliveryOptions) {
    const { limit, hooks, heartbeatInterval } = options;
    this.readiness = { limit, flows: hooks.flows, stop: this.stop, heartbeatInterval };
    this.ends = new TransactionEnds(options);
    this.timer = setInterval(() => this.ends.endAllDue(), options.transactionInterval);
  }

  async handleBatch({
    topic,
    partition,
    messages,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: FetchedBatch): Promise<number> {
    const { limit, batchSize, control, heartbeatInterval } = this.options;
    // A partition whose transaction is ending takes its next records into the next transaction.
    const transaction =
      this.ends.ready(topic, partition) ??
      (await this.ends.afterEnd(topic, partition, heartbeat, heartbeatInterval));
    if (!transaction) return 0;
    const stillWanted = () =>
      isRunning() &&
      !isStale() &&
      !this.stop.stopped &&
      !control.hold.isHeld(topic, partition) &&
      this.ends.ready(topic, partition) === transaction;
    let delivered = 0;
    while (delivered < messages.length) {
      if (!(await readyToSend(stillWanted, heartbeat, this.readiness))) break;
      const part = batchSize ?? Math.min(limit.room, PART_RECORDS);
      if (part === 0) continue;
      const end = Math.min(delivered + part, messages.length);
      const started = messages.slice(delivered, end).map((record) => this.start(transaction, record));
      if (batchSize) this.sendBatch(topic, partition, started);
      else for (const entry of started) this.send(topic, partition, entry);
      resolveOffset(messages[end - 1].offset);
      delivered = end;
      if (transaction.recordsStarted >= MAX_TRANSACTION_RECORDS) this.ends.endSoon(transaction);
    }
    await heartbeat();
    return delivered;
  }

  assigned(assignment: MemberAssignment, memberId?: string): void {
    this.ends.assigned(assignment, (topic, partition) => isAssigned(assignment, topic, partition), memberId);
  }

  /** Before a seek: the partition's open transaction ends (its records finished and committed). */
  settle(topic: string, partition: number, budgetMs: number): Promise<boolean> {
    return this.ends.endNow(topic, partition, budgetMs);
  }

  moveTo(topic: string, partition: number, offset: string): void {
    this.ends.moveTo(topic, partition, offset);
  }

  async finish(budgetMs: number): Promise<void> {
    this.stop.stop();
    clearInterval(this.timer);
    this.options.limit.wake();
    await this.ends.close(budgetMs);
  }

  /** A failed session: its transactions abort (their records come again), its producers disconnect. */
  abandon(): Promise<void> {
    this.stop.stop();
    clearInterval(this.timer);
    return this.ends.close(0);
  }

  private start(transaction: PartitionTransaction, record: KafkaMessage): Started {
    this.options.limit.enter();
    return { transaction, ticket: transaction.start(record.offset), record };
  }

  private send(topic: string, partition: number, entry: Started): void {
    const { hooks, decoder, clock } = this.options;
    // A record whose own write was refused for good before fails at once, rather than again in the flow.
    const refusal = entry.transaction.takeRefusal(entry.record.offset);
    if (refusal !== undefined) return this.settleRecord(entry, { error: refusal });
    let data;
    try {
      data = decoder.triggerData(topic, partition, entry.record, clock.now());
    } catch (error) {
      return this.settleRecord(entry, { error });
    }
    const scope = entry.transaction.scope([entry.ticket]);
    hooks.sendTracked(data, entry.record, (outcome) => this.settleRecord(entry, outcome), scope);
  }

  private sendBatch(topic: string, partition: number, started: Started[]): void {
    const { hooks, decoder, clock } = this.options;
    const records = started.map((entry) => entry.record);
    const batch = decodeBatch(decoder, topic, partition, records, clock.now());
    const errors = new Map(batch.undecodable.map(({ record, error }) => [record, error]));
    for (const entry of started) {
      const refusal = entry.transaction.takeRefusal(entry.record.offset) ?? errors.get(entry.record);
      if (refusal !== undefined) errors.set(entry.record, refusal);
    }
    const sendable = started.filter((entry) => !errors.has(entry.record));
    for (const entry of started)
      if (errors.has(entry.record)) this.settleRecord(entry, { error: errors.get(entry.record) });
    if (sendable.length === 0) return;
    const scope = sendable[0].transaction.scope(sendable.map((entry) => entry.ticket));
    const data =
      sendable.length === started.length
        ? batch.data
        : batch.data.filter((_, index) => !errors.has(batch.records[index]));
    hooks.sendBatchTracked(
      data,
      sendable.map((entry) => entry.record),
      (outcome) => {
        if (outcome.error === undefined) for (const entry of sendable) this.settleRecord(entry, outcome);
        // Dead-lettered one after the other, so that the dead-letter topic keeps the batch's order.
        else void this.settleInOrder(sendable, outcome);
      },
      scope,
    );
  }

  private async settleInOrder(entries: Started[], outcome: FlowOutcome): Promise<void> {
    for (const entry of entries) await this.settleFailed(entry, outcome.error);
  }

  /**
   * A dropped msg spoils its transaction: what it wrote before the stop would be written again.
   * A failed one is reported and dead-lettered in its transaction, as complete delivery does.
   */
  private settleRecord(entry: Started, outcome: FlowOutcome): void {
    if (outcome.dropped) entry.transaction.spoil(entry.ticket);
    if (outcome.dropped || outcome.error === undefined) return this.finished(entry);
    void this.settleFailed(entry, outcome.error);
  }

  private async settleFailed(entry: Started, error: unknown): Promise<void> {
    const { transaction, ticket, record } = entry;
    // An aborting transaction delivers its records again: nothing to report or dead-letter now.
    if (transaction.isSpoiled(ticket)) return this.finished(entry);
    const { topic, partition } = transaction;
    const { hooks, deadLetterTopic } = this.options;
    hooks.onRecordFailed({ topic, partition, offset: record.offset, error, deadLetterTopic });
    if (deadLetterTopic) {
      const letter = deadLetterMessage(topic, partition, record, error);
      // A refused dead letter spoils the transaction: the record comes again after the abort.
      await transaction.deadLetter(ticket, deadLetterTopic, letter).catch(() => undefined);
    }
    this.finished(entry);
  }

  private finished({ transaction, ticket }: Started): void {
    transaction.finish(ticket);
    this.options.limit.leave();
  }
}
