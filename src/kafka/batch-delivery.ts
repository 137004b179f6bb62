import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { TriggerData } from './trigger-data';

/** How the flow ended for one record: with an error, or not. */
export interface FlowOutcome {
  error?: unknown;
}

/** Where a record is and what went wrong with it. */
export interface RecordError {
  topic: string;
  partition: number;
  offset: string;
  error: unknown;
}

export interface RecordFailure extends RecordError {
  deadLetterTopic: string | undefined;
}

/** What the consumer needs from the side that owns the flow. */
export interface DeliveryHooks {
  /** Hands a record to the flow (hand-off delivery). */
  send(data: TriggerData, record: KafkaMessage): void;
  /** Hands a record to the flow and resolves once the flow has finished with it or given up on it. */
  sendTracked(data: TriggerData, record: KafkaMessage): Promise<FlowOutcome>;
  /** The flow finished a record with an error, or did not finish it in time (flow-controlled delivery). */
  onRecordFailed(failure: RecordFailure): void;
  /** Node-RED could not send a record at all (hand-off delivery); it is passed over. */
  onSendFailed(failure: RecordError): void;
}

/** One way of handing batches to the flow and deciding which offsets to commit (kafkajs's autoCommit stays off). */
export interface BatchDelivery {
  /** Hands the batch's records to the flow; resolves with how many it handed over. */
  handleBatch(payload: EachBatchPayload): Promise<number>;
  /** The partitions this member now owns. */
  assigned(partitions: number[]): void;
  /** Stops taking records and, within the budget, waits for those in flight and commits them. */
  finish(budgetMs: number): Promise<void>;
}
