import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { BatchDelivery, DeliveryHooks } from './batch-delivery';
import { OffsetCommitter } from './offset-committer';
import { toTriggerData, type ProcessingClock } from './trigger-data';

const STOP_CHECK_EVERY = 256;

/**
 * The default delivery: a record counts as done once it is handed to the flow, and its offset is
 * committed right after the batch (without holding up the next fetch), so a failing flow never
 * holds the consumer back.
 */
export class HandoffDelivery implements BatchDelivery {
  private readonly committer: OffsetCommitter;
  private stopping = false;

  constructor(
    private readonly hooks: DeliveryHooks,
    private readonly clock: ProcessingClock,
    consumer: Consumer,
  ) {
    this.committer = new OffsetCommitter(consumer);
  }

  async handleBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<number> {
    const { topic, partition, messages } = batch;
    // A hand-off batch takes milliseconds: one clock reading and a stop check every few hundred
    // records keep the per-record path short.
    const processedAt = this.clock.now();
    let delivered = 0;
    for (const record of messages) {
      if (delivered % STOP_CHECK_EVERY === 0 && (!isRunning() || isStale())) break;
      try {
        this.hooks.send(toTriggerData(topic, partition, record, processedAt), record);
      } catch (error) {
        // A record Node-RED cannot send (e.g. too deeply nested to clone for a second wire) is
        // reported and passed over: it must not stop the consumer on it for ever.
        this.hooks.onSendFailed({ topic, partition, offset: record.offset, error });
      }
      delivered += 1;
    }
    if (delivered > 0) {
      const last = messages[delivered - 1]!.offset;
      resolveOffset(last);
      this.committer.commit(topic, partition, (BigInt(last) + 1n).toString());
    }
    // Once closing, the batch kafkajs waits for must not end before its commit has landed.
    if (this.stopping) await this.committer.settled();
    await heartbeat();
    return delivered;
  }

  assigned(): void {}

  async finish(): Promise<void> {
    this.stopping = true;
    await this.committer.settled();
  }
}
