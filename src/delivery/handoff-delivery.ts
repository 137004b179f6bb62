import type { Consumer, KafkaMessage } from 'kafkajs';
import type { BatchDelivery, DeliveryHooks, FetchedBatch } from './delivery';
import { OffsetCommitter } from './offset-committer';
import { StopSignal } from '../consumer/stop-signal';
import type { PartitionHold } from '../consumer/partition-hold';
import { decodeBatch, type RecordDecoder } from '../formats/record-decoder';
import type { ProcessingClock } from '../formats/trigger-data';

/** Records handed over before waiting for their delivery (batch output: whole batch msgs of at least this many). */
const PART_RECORDS = 256;

/**
 * The default delivery: a record counts as done once the next node has received it, and its offset
 * is committed right after the batch (without holding up the next fetch), so a failing flow never
 * holds the consumer back. A message that a stopping flow drops was not received: records whose
 * messages a flow stop may have overtaken are sent again once the flows run, and stay uncommitted
 * when the trigger itself closes first.
 */
export class HandoffDelivery implements BatchDelivery {
  private readonly committer: OffsetCommitter;
  private readonly stop = new StopSignal();
  private readonly partSize: number;

  constructor(
    private readonly hooks: DeliveryHooks,
    private readonly decoder: RecordDecoder,
    private readonly clock: ProcessingClock,
    consumer: Consumer,
    private readonly heartbeatInterval: number,
    /** Records per msg in batch output; undefined for one msg per record. */
    private readonly batchSize: number | undefined,
    private readonly hold?: PartitionHold,
  ) {
    this.committer = new OffsetCommitter(consumer);
    this.partSize = batchSize ? Math.ceil(PART_RECORDS / batchSize) * batchSize : PART_RECORDS;
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
    // Unresolved and uncommitted, what is not handed over comes again, here or to the next owner.
    // A fetch that arrives once closing has begun would go to nodes that are closed or closing.
    if (!(await this.flowsRunning(heartbeat))) return 0;
    // Paused, or being moved by a seek: nothing is handed over, and a batch from before the move commits nothing.
    const hold = this.hold;
    const epoch = hold?.epoch(topic, partition) ?? 0;
    const moved = () =>
      hold !== undefined && (hold.isHeld(topic, partition) || hold.epoch(topic, partition) !== epoch);
    if (moved()) return 0;
    const stopped = () => !isRunning() || isStale() || moved();
    // Sent a part at a time, each delivered before the next is sent: the msgs of a fetch do not all
    // wait in Node-RED's queue at once, so they die young, and a flow stop overtakes one part at most.
    let delivered = 0;
    while (delivered < messages.length && !stopped()) {
      const end = Math.min(delivered + this.partSize, messages.length);
      if (!(await this.deliver(topic, partition, messages, delivered, end, heartbeat))) break;
      delivered = end;
    }
    if (delivered === 0) return 0;
    const last = messages[delivered - 1].offset;
    if (hold && hold.epoch(topic, partition) !== epoch) return delivered;
    resolveOffset(last);
    this.committer.commit(topic, partition, (BigInt(last) + 1n).toString());
    // Once closing, the batch kafkajs waits for must not end before its commit has landed.
    if (this.stop.stopped) await this.committer.settled();
    await heartbeat();
    return delivered;
  }

  assigned(): void {}

  async settle(): Promise<boolean> {
    await this.committer.settled();
    return true;
  }

  moveTo(topic: string, partition: number, offset: string): void {
    this.committer.commit(topic, partition, offset);
  }

  async finish(): Promise<void> {
    this.stop.stop();
    await this.committer.settled();
  }

  /**
   * Sends records `from` to `to` until they are delivered within one run of the flows (a flow stop
   * that overtakes them means they are sent again once the flows run); false when the trigger is
   * closing first.
   */
  private async deliver(
    topic: string,
    partition: number,
    messages: KafkaMessage[],
    from: number,
    to: number,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    let mark = this.hooks.flows.mark();
    this.send(topic, partition, messages, from, to);
    while (!(await this.hooks.flows.delivered(mark))) {
      if (!(await this.flowsRunning(heartbeat))) return false;
      mark = this.hooks.flows.mark();
      this.send(topic, partition, messages, from, to);
    }
    return true;
  }

  /** Sends records `from` to `to` of the batch, as one msg each or as batch msgs. */
  private send(topic: string, partition: number, messages: KafkaMessage[], from: number, to: number): void {
    const processedAt = this.clock.now();
    if (this.batchSize) return this.sendBatches(topic, partition, messages, from, to, processedAt);
    for (let index = from; index < to; index += 1) {
      const record = messages[index];
      try {
        this.hooks.send(this.decoder.triggerData(topic, partition, record, processedAt), record);
      } catch (error) {
        // A record that does not decode, or that Node-RED cannot send (e.g. too deeply nested to
        // clone for a second wire), is reported and passed over: it must not stop the consumer for ever.
        this.hooks.onSendFailed({ topic, partition, offset: record.offset, error });
      }
    }
  }

  /** Sends records `from` to `to` as msgs of up to batchSize records (`from` is a multiple of it). */
  private sendBatches(
    topic: string,
    partition: number,
    messages: KafkaMessage[],
    from: number,
    to: number,
    processedAt: string,
  ): void {
    const size = this.batchSize!;
    for (let start = from; start < to; start += size) {
      const batch = decodeBatch(
        this.decoder,
        topic,
        partition,
        messages.slice(start, Math.min(start + size, to)),
        processedAt,
      );
      for (const { record, error } of batch.undecodable)
        this.hooks.onSendFailed({ topic, partition, offset: record.offset, error });
      if (batch.records.length === 0) continue;
      try {
        this.hooks.sendBatch(batch.data, batch.records);
      } catch (error) {
        for (const record of batch.records)
          this.hooks.onSendFailed({ topic, partition, offset: record.offset, error });
      }
    }
  }

  /** Waits, heartbeating, until the flows run; false when the trigger is closing. */
  private async flowsRunning(heartbeat: () => Promise<void>): Promise<boolean> {
    while (!(await this.stop.race(this.hooks.flows.running(this.heartbeatInterval)))) {
      if (this.stop.stopped) return false;
      await heartbeat();
    }
    return true;
  }
}
