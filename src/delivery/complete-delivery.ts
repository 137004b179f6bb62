import type { Consumer, KafkaMessage } from 'kafkajs';
import type { MemberAssignment } from '../consumer/assignment';
import type { BatchDelivery, DeliveryHooks, FetchedBatch, FlowOutcome } from './delivery';
import { CompletionWatermarks, nextOffset, type PartitionProgress } from './completion-watermarks';
import { OffsetCommitter } from './offset-committer';
import { StopSignal } from '../consumer/stop-signal';
import type { InFlightLimit } from './in-flight-limit';
import type { PartitionHold } from '../consumer/partition-hold';
import { readyToSend, type SendReadiness } from './send-readiness';
import { decodeBatch, type RecordDecoder } from '../formats/record-decoder';
import type { ProcessingClock } from '../formats/trigger-data';

/** How often a seek looks again whether the records it waits for are finished. */
const SETTLE_POLL_MS = 20;
/** Records handed over between two looks at the limit, the flows and the consumer's state. */
const PART_RECORDS = 256;

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

/** A record in the flow: where its partition's watermark keeps it. */
interface Started {
  progress: PartitionProgress;
  ticket: number;
  record: KafkaMessage;
}

/**
 * Complete delivery: a record counts as done only when the flow has finished with it, a
 * partition's offset is committed only up to the last record before which all are done, and
 * fetching waits while `limit.max` records are unfinished. The per-record path is synchronous
 * callbacks: a record's outcome settles it at once, and only a failure takes an async turn.
 */
export class CompleteDelivery implements BatchDelivery {
  private readonly watermarks = new CompletionWatermarks();
  private readonly committer: OffsetCommitter;
  private readonly stop = new StopSignal();
  /** Partitions whose watermark moved since their last commit; committed together once per turn. */
  private readonly moved = new Map<PartitionProgress, string>();
  private commitScheduled = false;
  /** After finish(): outcomes that come later change nothing, the records come again after a restart. */
  private finished = false;
  private readonly readiness: SendReadiness;

  constructor(private readonly options: CompleteDeliveryOptions) {
    this.committer = new OffsetCommitter(options.consumer);
    const { limit, hooks, heartbeatInterval } = options;
    this.readiness = { limit, flows: hooks.flows, stop: this.stop, heartbeatInterval };
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
    const { limit } = this.options;
    const size = this.options.batchSize;
    const { hold } = this.options;
    const stillWanted = () =>
      isRunning() && !isStale() && !this.stop.stopped && !hold?.isHeld(topic, partition);
    const progress = this.watermarks.of(topic, partition);
    let delivered = 0;
    while (delivered < messages.length) {
      if (!(await readyToSend(stillWanted, heartbeat, this.readiness))) break;
      // A batch msg goes whole even past the limit; records go as many as there is room for.
      const part = size ?? Math.min(limit.room, PART_RECORDS);
      // Another partition's batch may have taken the room meanwhile.
      if (part === 0) continue;
      const end = Math.min(delivered + part, messages.length);
      if (size)
        this.sendBatch(
          topic,
          partition,
          messages.slice(delivered, end).map((record) => this.start(progress, record)),
        );
      else
        for (let index = delivered; index < end; index += 1)
          this.send(topic, partition, this.start(progress, messages[index]));
      // Resolving moves kafkajs's fetch position; only the watermarks decide what is committed.
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
    this.commitMoved();
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
    this.commitMoved();
    await this.committer.settled();
  }

  /** Counts the record in flight and gives it its place in the partition's watermark. */
  private start(progress: PartitionProgress, record: KafkaMessage): Started {
    this.options.limit.enter();
    return { progress, ticket: progress.started(record.offset), record };
  }

  /** Sends one record; a message a flow stop dropped is sent again once the flows run, unless closing. */
  private send(topic: string, partition: number, entry: Started): void {
    const { hooks, decoder, clock } = this.options;
    let data;
    try {
      // Each send gets fresh trigger data: a dropped message may have reached some of the flow first.
      data = decoder.triggerData(topic, partition, entry.record, clock.now());
    } catch (error) {
      // A record that does not decode fails like one the flow failed: dead-lettered when there is a topic for it.
      return this.settleRecord(entry, { error });
    }
    hooks.sendTracked(data, entry.record, (outcome) => {
      if (outcome.dropped && !this.stop.stopped)
        void this.whenFlowsRun(() => this.send(topic, partition, entry), entry);
      else this.settleRecord(entry, outcome);
    });
  }

  /**
   * Sends records as one msg and settles each of them with the msg's outcome, so a failed batch is
   * dead-lettered record by record. A record that does not decode fails on its own, outside the msg.
   */
  private sendBatch(topic: string, partition: number, started: Started[]): void {
    const { hooks, decoder, clock } = this.options;
    const records = started.map((entry) => entry.record);
    const batch = decodeBatch(decoder, topic, partition, records, clock.now());
    const errors = new Map(batch.undecodable.map(({ record, error }) => [record, error]));
    const sendable = errors.size === 0 ? started : started.filter((entry) => !errors.has(entry.record));
    for (const entry of started)
      if (errors.has(entry.record)) this.settleRecord(entry, { error: errors.get(entry.record) });
    if (sendable.length === 0) return;
    hooks.sendBatchTracked(batch.data, batch.records, (outcome) => {
      if (outcome.dropped && !this.stop.stopped)
        void this.whenFlowsRun(() => this.sendBatch(topic, partition, sendable), ...sendable);
      else if (outcome.error === undefined || this.finished)
        for (const entry of sendable) this.settleRecord(entry, outcome);
      // Dead-lettered one after the other, so that the dead-letter topic keeps the batch's order.
      else void this.settleFailedInOrder(sendable, outcome.error);
    });
  }

  /** Runs `resend` once the flows run again; the records stay uncommitted when the trigger closes first. */
  private async whenFlowsRun(resend: () => void, ...entries: Started[]): Promise<void> {
    const { flows } = this.options.hooks;
    while (!this.stop.stopped) {
      if (await this.stop.race(flows.running(this.options.heartbeatInterval))) return resend();
    }
    for (const entry of entries) this.settleRecord(entry, { dropped: true });
  }

  /** Frees the record's place and moves its partition's watermark; a failed record is reported and dead-lettered first. */
  private settleRecord(entry: Started, outcome: FlowOutcome): void {
    if (outcome.dropped || this.finished) return this.options.limit.leave();
    if (outcome.error === undefined) {
      this.finishRecord(entry);
      return this.options.limit.leave();
    }
    void this.settleFailed(entry, outcome.error);
  }

  private async settleFailed({ progress, record, ...entry }: Started, error: unknown): Promise<void> {
    const { topic, partition } = progress;
    const { hooks, deadLetterTopic } = this.options;
    try {
      hooks.onRecordFailed({ topic, partition, offset: record.offset, error, deadLetterTopic });
      if (deadLetterTopic) await this.options.deadLetter(topic, partition, record, error);
      if (!this.finished) this.finishRecord({ progress, record, ...entry });
    } catch {
      // A record that could not be dead-lettered stays uncommitted, to be delivered again.
    } finally {
      this.options.limit.leave();
    }
  }

  private async settleFailedInOrder(entries: Started[], error: unknown): Promise<void> {
    for (const entry of entries) await this.settleFailed(entry, error);
  }

  private finishRecord({ progress, ticket }: Started): void {
    const passed = progress.finished(ticket);
    if (passed === undefined) return;
    this.moved.set(progress, passed);
    if (this.commitScheduled) return;
    this.commitScheduled = true;
    // Records that finish in the same turn (Node-RED delivers in immediates) make one commit.
    setImmediate(() => this.commitMoved());
  }

  /** Hands the moved watermarks to the committer. */
  private commitMoved(): void {
    this.commitScheduled = false;
    for (const [progress, passed] of this.moved)
      if (!progress.isForgotten)
        this.committer.commit(progress.topic, progress.partition, nextOffset(passed));
    this.moved.clear();
  }
}
