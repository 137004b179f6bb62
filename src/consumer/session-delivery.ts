import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { BatchWait } from '../delivery/batch-wait';
import { CompleteDelivery } from '../delivery/complete-delivery';
import type { BatchDelivery, DeliveryHooks, FetchedBatch } from '../delivery/delivery';
import { HandoffDelivery } from '../delivery/handoff-delivery';
import type { InFlightLimit } from '../delivery/in-flight-limit';
import type { RecordDecoder } from '../formats/record-decoder';
import type { ProcessingClock } from '../formats/trigger-data';
import type { TriggerSettings } from '../settings/trigger-settings';
import type { PartitionHold } from './partition-hold';

/** What every session's delivery shares: the trigger's settings, hooks, decoder, hold and in-flight cap. */
export interface DeliveryParts {
  settings: TriggerSettings;
  hooks: DeliveryHooks;
  decoder: RecordDecoder;
  clock: ProcessingClock;
  hold: PartitionHold;
  /** Complete delivery's cap on records in the flow, shared by the trigger's sessions. */
  inFlight: InFlightLimit | undefined;
  deadLetter: (topic: string, partition: number, record: KafkaMessage, error: unknown) => Promise<void>;
  /** Counts a record the flow failed (complete delivery). */
  onFailed: () => void;
  /** Counts records a batch output handed over after waiting for more. */
  onRecordsHandled: (records: number) => void;
}

/** The delivery that hands `consumer`'s batches to the flow, as the delivery and output settings say. */
export function sessionDelivery(consumer: Consumer, parts: DeliveryParts): BatchDelivery {
  const { output } = parts.settings;
  const delivery = recordDelivery(consumer, parts, output.kind === 'batch' ? output.maxSize : undefined);
  if (output.kind === 'record' || output.maxWait === 0) return delivery;
  return new BatchWait(delivery, output.maxSize, output.maxWait, parts.onRecordsHandled);
}

/** The delivery mode's way of handing records to the flow, `batchSize` of them per msg in batch output. */
function recordDelivery(
  consumer: Consumer,
  parts: DeliveryParts,
  batchSize: number | undefined,
): BatchDelivery {
  const { settings, hooks, decoder, clock, hold, inFlight } = parts;
  const { delivery, heartbeatInterval } = settings;
  if (delivery.mode === 'handoff' || !inFlight)
    return new HandoffDelivery(hooks, decoder, clock, consumer, heartbeatInterval, batchSize, hold);
  return new CompleteDelivery({
    consumer,
    hooks: {
      ...hooks,
      onRecordFailed: (failure) => {
        parts.onFailed();
        hooks.onRecordFailed(failure);
      },
    },
    decoder,
    clock,
    limit: inFlight,
    heartbeatInterval,
    batchSize,
    deadLetterTopic: delivery.deadLetterTopic,
    deadLetter: parts.deadLetter,
    hold,
  });
}

/** A kafkajs batch as the deliveries take it. */
export function fetched({
  batch,
  resolveOffset,
  heartbeat,
  isRunning,
  isStale,
}: EachBatchPayload): FetchedBatch {
  const { topic, partition, messages } = batch;
  return { topic, partition, messages, resolveOffset, heartbeat, isRunning, isStale };
}
