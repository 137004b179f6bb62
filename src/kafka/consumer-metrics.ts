import type { Batch } from 'kafkajs';

/** The key metrics of one trigger's consumer, as sent on its metrics output. */
export interface MetricsSnapshot {
  topic: string;
  group_id: string;
  /** Lag per partition this member owns: records behind the partition's end after the last batch. */
  lag: Record<string, number>;
  total_lag: number;
  records: number;
  records_per_second: number;
  errors: number;
  rebalances: number;
  in_flight: number;
  /** What control messages left the trigger doing: consuming, paused or stopped. */
  state: 'consuming' | 'paused' | 'stopped';
}

/** Counts what a trigger's consumer does; cheap enough to run on every batch. */
export class ConsumerMetrics {
  private readonly lagByPartition = new Map<number, number>();
  private records = 0;
  private errors = 0;
  private rebalances = 0;
  private lastSnapshot = { at: Date.now(), records: 0 };

  constructor(
    private readonly topic: string,
    private readonly groupId: string,
  ) {}

  batchHandled(batch: Batch, delivered: number): void {
    this.records += delivered;
    this.lagByPartition.set(batch.partition, Math.max(0, Number(batch.offsetLag())));
  }

  assigned(partitions: number[]): void {
    for (const partition of this.lagByPartition.keys()) {
      if (!partitions.includes(partition)) this.lagByPartition.delete(partition);
    }
  }

  rebalanced(): void {
    this.rebalances += 1;
  }

  failed(): void {
    this.errors += 1;
  }

  get totalLag(): number {
    let total = 0;
    for (const lag of this.lagByPartition.values()) total += lag;
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
    return {
      topic: this.topic,
      group_id: this.groupId,
      lag: Object.fromEntries(
        [...this.lagByPartition].sort(([a], [b]) => a - b).map(([p, lag]) => [String(p), lag]),
      ),
      total_lag: this.totalLag,
      records: this.records,
      records_per_second: Math.round(rate * 10) / 10,
      errors: this.errors,
      rebalances: this.rebalances,
      in_flight: inFlight,
      state,
    };
  }
}
