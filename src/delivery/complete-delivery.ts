import type { Consumer, KafkaMessage } from 'kafkajs';
import type { MemberAssignment } from '../consumer/assignment';
import type { BatchDelivery, DeliveryHooks, FetchedBatch, FlowOutcome } from './delivery';
import { CompletionWatermarks } from './completion-watermarks';
import { OffsetCommitter } from './offset-committer';
import { StopSignal } from '../consumer/stop-signal';
import type { InFlightLimit } from './in-flight-limit';
import type { PartitionHold } from '../consumer/partition-hold';
import { decodeBatch, type RecordDecoder } from '../formats/record-decoder';
import type { ProcessingClock } from '../formats/trigger-data';

/** How often a seek looks again whether the records it waits for are finished. */
const SETTLE_POLL_MS = 20;

export interface CompleteDeliveryOptions {
  consumer: Consumer;
  hooks: DeliveryHooks;
  decoder: RecordDecoder;
  clock: ProcessingClock;
  /** Shared by every consumer a trigger makes, so records still in flight from a crashed one count too. */
  limit: InFlightLimit;
  heartbeatInterval: number;
  /** Records per msg in batch output; undefined for one msg per record. */
  batchSize: number | undefined;
  deadLetterTopic: string | undefined;
  /** Produces a failed record to the dead-letter topic; rejects when it could not. */
  deadLetter(topic: string, partition: number, record: KafkaMessage, error: unknown): Promise<void>;
  /** Partitions paused or being moved by a seek: no more of their records go to the flow. */
  hold?: PartitionHold;
}

/**
 * Complete delivery: a record counts as done only when the flow has finished with it, a
 * partition's offset is committed only up to the last record before which all are done, and
 * fetching waits while `limit.max` records are unfinished.
 */
export class CompleteDelivery implements BatchDelivery {
  private readonly watermarks = new CompletionWatermarks();
  private readonly committer: OffsetCommitter;
  private readonly stop = new StopSignal();
  /** After finish(): outcomes that come later change nothing, the records come again after a restart. */
  private finished = false;

  constructor(private readonly options: CompleteDeliveryOptions) {
    this.committer = new OffsetCommitter(options.consumer);
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
    const { limit, heartbeatInterval } = this.options;
    const { flows } = this.options.hooks;
    const size = this.options.batchSize ?? 1;
    const { hold } = this.options;
    const stillWanted = () =>
      isRunning() && !isStale() && !this.stop.stopped && !hold?.isHeld(topic, partition);
    let delivered = 0;
    while (delivered < messages.length) {
      // Waiting here is what pauses fetching; heartbeats keep the group membership alive meanwhile.
      while (stillWanted() && !(await limit.waitForRoom(heartbeatInterval))) await heartbeat();
      // While a deploy is between stop and start, a message would go to nodes that are gone.
      while (stillWanted() && !(await this.stop.race(flows.running(heartbeatInterval)))) await heartbeat();
      if (!stillWanted()) break;
      const end = Math.min(delivered + size, messages.length);
      for (let index = delivered; index < end; index += 1) {
        limit.enter();
        this.watermarks.started(topic, partition, messages[index].offset);
      }
      if (this.options.batchSize) void this.trackBatch(topic, partition, messages.slice(delivered, end));
      else void this.track(topic, partition, messages[delivered]);
      // Resolving moves kafkajs's fetch position; only settle() decides what is committed.
      resolveOffset(messages[end - 1].offset);
      delivered = end;
    }
    await heartbeat();
    return delivered;
  }

  assigned(assignment: MemberAssignment): void {
    this.watermarks.keepOnly(assignment);
  }

  /**
   * A seek waits for the records of the partition still in the flow: each finishes (or fails after
   * complete_timeout) and is committed as usual, so the seek never commits a record that is not finished.
   */
  async settle(topic: string, partition: number, budgetMs: number): Promise<boolean> {
    const deadline = Date.now() + budgetMs;
    while (this.watermarks.unfinished(topic, partition) > 0) {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    }
    await this.committer.settled();
    return true;
  }

  moveTo(topic: string, partition: number, offset: string): void {
    this.watermarks.forget(topic, partition);
    this.committer.commit(topic, partition, offset);
  }

  async finish(budgetMs: number): Promise<void> {
    this.stop.stop();
    this.options.limit.wake();
    await this.options.limit.waitUntilIdle(budgetMs);
    this.finished = true;
    await this.committer.settled();
  }

  /**
   * Sends one record and settles it once the flow is done with it. A message a flow stop dropped is
   * sent again once the flows run, unless the trigger is closing: then it stays uncommitted.
   */
  private async track(topic: string, partition: number, record: KafkaMessage): Promise<void> {
    const { hooks, decoder, clock, heartbeatInterval } = this.options;
    // Each send gets fresh trigger data: a dropped message may have reached some of the flow first.
    const send = () => hooks.sendTracked(decoder.triggerData(topic, partition, record, clock.now()), record);
    let outcome: FlowOutcome;
    try {
      outcome = await send();
    } catch (error) {
      // A record that does not decode fails like one the flow failed: dead-lettered when there is a topic for it.
      outcome = { error };
    }
    while (outcome.dropped && !this.stop.stopped) {
      if (await this.stop.race(hooks.flows.running(heartbeatInterval))) outcome = await send();
    }
    this.commit(topic, partition, await this.settleRecord(topic, partition, record, outcome));
  }

  /**
   * Sends records as one msg and settles each of them with the msg's outcome, so a failed batch is
   * dead-lettered record by record. A record that does not decode fails on its own, outside the msg.
   */
  private async trackBatch(topic: string, partition: number, records: KafkaMessage[]): Promise<void> {
    const { hooks, decoder, clock, heartbeatInterval } = this.options;
    let batch = decodeBatch(decoder, topic, partition, records, clock.now());
    for (const { record, error } of batch.undecodable)
      void this.settleRecord(topic, partition, record, { error }).then((offset) =>
        this.commit(topic, partition, offset),
      );
    const sendable = batch.records;
    if (sendable.length === 0) return;
    let outcome = await hooks.sendBatchTracked(batch.data, sendable);
    while (outcome.dropped && !this.stop.stopped) {
      if (!(await this.stop.race(hooks.flows.running(heartbeatInterval)))) continue;
      // Fresh trigger data, as for a single record: the dropped msg may have reached some of the flow.
      batch = decodeBatch(decoder, topic, partition, sendable, clock.now());
      outcome = await hooks.sendBatchTracked(batch.data, sendable);
    }
    let offset: string | undefined;
    for (const record of sendable)
      offset = (await this.settleRecord(topic, partition, record, outcome)) ?? offset;
    this.commit(topic, partition, offset);
  }

  /** Commits up to `offset` (the next to read), when settling moved the partition's watermark. */
  private commit(topic: string, partition: number, offset: string | undefined): void {
    if (offset !== undefined) this.committer.commit(topic, partition, offset);
  }

  /** Reports a failed record and dead-letters it; returns the offset to commit when the watermark moved. */
  private async settleRecord(
    topic: string,
    partition: number,
    record: KafkaMessage,
    outcome: FlowOutcome,
  ): Promise<string | undefined> {
    const { limit, hooks, deadLetterTopic } = this.options;
    try {
      if (outcome.dropped || this.finished) return undefined;
      if (outcome.error !== undefined) {
        hooks.onRecordFailed({
          topic,
          partition,
          offset: record.offset,
          error: outcome.error,
          deadLetterTopic,
        });
        // A record that could not be dead-lettered stays uncommitted, to be delivered again.
        if (deadLetterTopic) await this.options.deadLetter(topic, partition, record, outcome.error);
      }
      return this.watermarks.finished(topic, partition, record.offset);
    } catch {
      // Left uncommitted on purpose (see above).
      return undefined;
    } finally {
      limit.leave();
    }
  }
}
