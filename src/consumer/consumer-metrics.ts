import type { Batch } from 'kafkajs';
import type { DeliveryMode } from '../settings/setting-rules';
import { isAssigned, type MemberAssignment } from './assignment';

/** The key metrics of one trigger's consumer, as sent on its metrics output. */
export interface MetricsSnapshot {
  /** The topic setting as written: one topic, a comma-separated list or `/regex/`. */
  topic: string;
  /** The topics subscribed to now (for `/regex/`, those it matched at the last listing). */
  topics: string[];
  group_id: string;
  /**
   * Lag per partition this member owns: records behind the partition's end after the last batch.
   * Keyed by partition for a single topic; by `<topic>:<partition>` for a list or `/regex/`.
   */
  lag: Record<string, number>;
  /** The same lag by topic, then partition, whatever the topic setting's form. */
  lag_by_topic: Record<string, Record<string, number>>;
  total_lag: number;
  records: number;
  records_per_second: number;
  errors: number;
  rebalances: number;
  in_flight: number;
  /** What control messages left the trigger doing: consuming, paused or stopped. */
  state: 'consuming' | 'paused' | 'stopped';
  /** When a record is committed: once handed to the flow, once the flow completes it, or in a transaction. */
  delivery: DeliveryMode;
  /** Exactly-once delivery only: the transactions committed and aborted since the start. */
  transactions?: TransactionCounts;
}

export interface TransactionCounts {
  committed: number;
  aborted: number;
}

/** Counts what a trigger's consumer does; cheap enough to run on every batch. */
export class ConsumerMetrics {
  /** Keyed by `<topic>:<partition>`. */
  private readonly lagByPartition = new Map<string, { topic: string; partition: number; lag: number }>();
  private records = 0;
  private errors = 0;
  private rebalances = 0;
  private readonly transactions: TransactionCounts = { committed: 0, aborted: 0 };
  private lastSnapshot = { at: Date.now(), records: 0 };
  private subscribed: string[];

  /** `multiTopic`: the topic setting is a list or `/regex/`, so `lag` keys name the topic too. */
  constructor(
    private readonly topic: string,
    private readonly groupId: string,
    private readonly delivery: DeliveryMode,
    private readonly multiTopic = false,
  ) {
    this.subscribed = multiTopic ? [] : [topic];
  }

  /** The topics the consumer subscribes to now. */
  subscribedTo(topics: readonly string[]): void {
    this.subscribed = [...topics];
  }

  batchHandled(batch: Batch, delivered: number): void {
    this.recordsHandled(delivered);
    const { topic, partition } = batch;
    this.lagByPartition.set(`${topic}:${partition}`, {
      topic,
      partition,
      lag: Math.max(0, Number(batch.offsetLag())),
    });
  }

  recordsHandled(count: number): void {
    this.records += count;
  }

  assigned(assignment: MemberAssignment): void {
    for (const [key, entry] of this.lagByPartition) {
      if (!isAssigned(assignment, entry.topic, entry.partition)) this.lagByPartition.delete(key);
    }
  }

  rebalanced(): void {
    this.rebalances += 1;
  }

  failed(): void {
    this.errors += 1;
  }

  transactionEnded(end: 'committed' | 'aborted'): void {
    this.transactions[end] += 1;
  }

  /** Exactly-once delivery's transactions so far; undefined in the other modes. */
  get transactionCounts(): TransactionCounts | undefined {
    return this.delivery === 'exactly-once' ? { ...this.transactions } : undefined;
  }

  /** The records handled and the errors since the start, read without starting a new rate window. */
  get counts(): { records: number; errors: number } {
    return { records: this.records, errors: this.errors };
  }

  get totalLag(): number {
    let total = 0;
    for (const { lag } of this.lagByPartition.values()) total += lag;
    return total;
  }

  /** The figures since the start, with the rate since the previous snapshot. */
  snapshot(
    inFlight: number,
    now = Date.now(),
    state: MetricsSnapshot['state'] = 'consuming',
  ): MetricsSnapshot {
    const seconds = Math.max((now - this.lastSnapshot.at) / 1000, 0.001);
    const rate = (this.records - this.lastSnapshot.records) / seconds;
    this.lastSnapshot = { at: now, records: this.records };
    const entries = [...this.lagByPartition.values()].sort((a, b) =>
      a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition,
    );
    const lagByTopic: Record<string, Record<string, number>> = {};
    for (const { topic, partition, lag } of entries) (lagByTopic[topic] ??= {})[String(partition)] = lag;
    return {
      topic: this.topic,
      topics: [...this.subscribed],
      group_id: this.groupId,
      lag: Object.fromEntries(
        entries.map(({ topic, partition, lag }) => [
          this.multiTopic ? `${topic}:${partition}` : String(partition),
          lag,
        ]),
      ),
      lag_by_topic: lagByTopic,
      total_lag: this.totalLag,
      records: this.records,
      records_per_second: Math.round(rate * 10) / 10,
      errors: this.errors,
      rebalances: this.rebalances,
      in_flight: inFlight,
      state,
      delivery: this.delivery,
      ...(this.delivery === 'exactly-once' ? { transactions: { ...this.transactions } } : {}),
    };
  }
}
