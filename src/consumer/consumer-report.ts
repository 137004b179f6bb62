import type { Batch } from 'kafkajs';
import { classifyFailure } from '../client/failure';
import type { TriggerSettings } from '../settings/trigger-settings';
import type { MemberAssignment } from './assignment';
import { ConsumerMetrics, type MetricsSnapshot } from './consumer-metrics';
import type { ConsumerState, ControlState } from './consumer-state';
import { NoMatchingTopics } from './subscription';

/** What "connected" shows: read when it is reported. */
export interface ConnectedView {
  paused: boolean;
  partitions: number;
  /** How many topics the session subscribed to. */
  topics: number;
}

/**
 * What the trigger tells: its metrics (counted here only) and its badge, from the events of the
 * consumer and of the deliveries.
 */
export class ConsumerReport {
  private readonly metrics: ConsumerMetrics;
  private readonly multiTopic: boolean;
  private lagReportedAt = 0;

  constructor(
    settings: TriggerSettings,
    private readonly onState: (state: ConsumerState) => void,
    private readonly view: () => ConnectedView,
  ) {
    const { topics } = settings;
    // A list or `/regex/` topic setting, rather than one topic.
    this.multiTopic = topics.kind === 'pattern' || topics.topics.length > 1;
    this.metrics = new ConsumerMetrics(
      settings.topic,
      settings.groupId,
      settings.delivery.mode,
      this.multiTopic,
    );
  }

  get counts(): { records: number; errors: number } {
    return this.metrics.counts;
  }

  snapshot(inFlight: number, state: ControlState): MetricsSnapshot {
    return this.metrics.snapshot(inFlight, undefined, state);
  }

  connecting(): void {
    this.onState({ kind: 'connecting' });
  }

  /** Connected (or paused), with the partitions and the lag. */
  connected(): void {
    this.lagReportedAt = Date.now();
    const { paused, partitions, topics } = this.view();
    if (paused) return this.onState({ kind: 'paused' });
    const lag = this.metrics.totalLag;
    const transactions = this.metrics.transactionCounts;
    this.onState({
      kind: 'connected',
      partitions,
      lag,
      ...(this.multiTopic ? { topics } : {}),
      ...(transactions ? { transactions } : {}),
    });
  }

  subscribed(topics: readonly string[]): void {
    this.metrics.subscribedTo(topics);
  }

  assigned(assignment: MemberAssignment): void {
    this.metrics.assigned(assignment);
  }

  /** A batch handed to the flow; the lag on the badge at most once a second (an update costs a message to the editor). */
  batchHandled(batch: Batch, delivered: number): void {
    this.metrics.batchHandled(batch, delivered);
    if (Date.now() - this.lagReportedAt >= 1000) this.connected();
  }

  /** Records a batch output handed over after waiting for more. */
  recordsHandled(records: number): void {
    this.metrics.recordsHandled(records);
  }

  /** A record the flow failed. */
  recordFailed(): void {
    this.metrics.failed();
  }

  /** An exactly-once transaction ended. */
  transactionEnded(end: 'committed' | 'aborted'): void {
    this.metrics.transactionEnded(end);
  }

  rebalancing(counted = true): void {
    if (counted) this.metrics.rebalanced();
    this.onState({ kind: 'rebalancing' });
  }

  registryUnavailable(error: unknown, attempt: number, delayMs: number): void {
    this.metrics.failed();
    this.onState({ kind: 'registry-unavailable', error, attempt, delayMs });
  }

  /** A session failed; the next starts after `delayMs`. `retry` counts the failures in a row. */
  retrying(error: unknown, retry: number, delayMs: number): void {
    if (error instanceof NoMatchingTopics)
      return this.onState({ kind: 'no-matching-topics', pattern: error.pattern, attempt: retry, delayMs });
    this.metrics.failed();
    this.onState({ kind: 'retrying', failure: classifyFailure(error), error, attempt: retry, delayMs });
  }
}
