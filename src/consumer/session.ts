import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { BatchWait } from '../delivery/batch-wait';
import { CompleteDelivery } from '../delivery/complete-delivery';
import type { BatchDelivery, DeliveryHooks, FetchedBatch } from '../delivery/delivery';
import { ExactlyOnceDelivery } from '../delivery/exactly-once-delivery';
import { HandoffDelivery } from '../delivery/handoff-delivery';
import type { PooledClients } from '../client/connection-pool';
import type { InFlightLimit } from '../delivery/in-flight-limit';
import type { RecordDecoder } from '../formats/record-decoder';
import type { ProcessingClock } from '../formats/trigger-data';
import type { TriggerSettings } from '../settings/trigger-settings';
import type { ConsumerReport } from './consumer-report';
import type { DeadLetterSender } from './dead-letter-sender';
import type { Session } from './lifecycle';
import type { PartitionControl } from './partition-control';
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
  deadLetters: DeadLetterSender | undefined;
  /** Counts the records the flow failed, those a batch output handed over late, and transactions. */
  report: Pick<ConsumerReport, 'recordFailed' | 'recordsHandled' | 'transactionEnded'>;
  /** Exactly-once delivery's transactional producers and look-ups use the broker node's clients. */
  clients: PooledClients;
  control: PartitionControl;
  /** Ends the session of `consumer` as a failure (exactly-once: a transaction the broker refused). */
  failSession(consumer: Consumer, error: unknown): void;
}

const FETCH_MAX_WAIT_MS = 1000;

/** A new session: a kafkajs consumer of the trigger's group, and the delivery of its batches. */
export function newSession(kafka: Kafka, parts: DeliveryParts): Session {
  const { groupId, sessionTimeout, heartbeatInterval, isolationLevel } = parts.settings;
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout,
    heartbeatInterval,
    readUncommitted: isolationLevel === 'read_uncommitted',
    allowAutoTopicCreation: false,
    // An idle fetch waits this long for records, and a closing consumer waits for that fetch:
    // kafkajs's 5 s made every redeploy of an idle trigger take 5 s (Java clients use 0.5 s).
    maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
    // Off, so that a closed trigger can never be revived by kafkajs: the trigger starts new sessions.
    retry: { restartOnFailure: async () => false },
  });
  const delivery = sessionDelivery(consumer, parts);
  return { consumer, delivery, awaitingFetch: false, startLookUps: 0, topics: [] };
}

/** The delivery that hands `consumer`'s batches to the flow, as the delivery and output settings say. */
function sessionDelivery(consumer: Consumer, parts: DeliveryParts): BatchDelivery {
  const { output } = parts.settings;
  const delivery = recordDelivery(consumer, parts, output.kind === 'batch' ? output.maxSize : undefined);
  // Exactly-once sends an aborted partition back to its committed offset: nothing may be held past it.
  if (output.kind === 'record' || output.maxWait === 0 || parts.settings.delivery.mode === 'exactly-once')
    return delivery;
  return new BatchWait(delivery, output.maxSize, output.maxWait, (records) =>
    parts.report.recordsHandled(records),
  );
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
  const countedHooks: DeliveryHooks = {
    ...hooks,
    onRecordFailed: (failure) => {
      parts.report.recordFailed();
      hooks.onRecordFailed(failure);
    },
  };
  if (delivery.mode === 'exactly-once') {
    const { clients, control, settings: trigger } = parts;
    return new ExactlyOnceDelivery({
      consumer,
      kafka: clients.kafka,
      partitions: clients.partitions,
      admin: () => clients.admin(),
      control,
      hooks: countedHooks,
      decoder,
      clock,
      limit: inFlight,
      heartbeatInterval,
      batchSize,
      groupId: trigger.groupId,
      deadLetterTopic: delivery.deadLetterTopic,
      transactionInterval: delivery.transactionInterval,
      completeTimeout: delivery.completeTimeout,
      onTransactionEnd: (end) => parts.report.transactionEnded(end),
      failSession: (error) => parts.failSession(consumer, error),
    });
  }
  return new CompleteDelivery({
    consumer,
    hooks: countedHooks,
    decoder,
    clock,
    limit: inFlight,
    heartbeatInterval,
    batchSize,
    deadLetterTopic: delivery.deadLetterTopic,
    deadLetter: async (...failed) => parts.deadLetters?.send(...failed),
    hold,
  });
}

/** A kafkajs batch as the deliveries take it. */
export function fetched(payload: EachBatchPayload): FetchedBatch {
  const { topic, partition, messages } = payload.batch;
  return {
    topic,
    partition,
    messages,
    resolveOffset: (offset) => payload.resolveOffset(offset),
    heartbeat: () => payload.heartbeat(),
    isRunning: () => payload.isRunning(),
    isStale: () => payload.isStale(),
  };
}
