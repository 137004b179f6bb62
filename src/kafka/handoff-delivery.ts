import type { EachBatchPayload } from 'kafkajs';
import type { BatchDelivery, DeliveryHooks } from './batch-delivery';
import { toTriggerData, type ProcessingClock } from './trigger-data';

/**
 * The contract's default: a record counts as done once it is handed to the flow, and kafkajs
 * commits it after the batch, so a failing flow never holds the consumer back.
 */
export class HandoffDelivery implements BatchDelivery {
  readonly autoCommit = true;

  constructor(
    private readonly hooks: DeliveryHooks,
    private readonly clock: ProcessingClock,
  ) {}

  async handleBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = batch;
    let delivered: string | undefined;
    try {
      for (const record of messages) {
        if (!isRunning() || isStale()) break;
        this.hooks.send(toTriggerData(topic, partition, record, this.clock.now()), record);
        delivered = record.offset;
      }
    } finally {
      // Resolving once per batch is enough: kafkajs commits the highest resolved offset.
      if (delivered !== undefined) resolveOffset(delivered);
    }
    await heartbeat();
  }

  assigned(): void {}

  async finish(): Promise<void> {}
}
