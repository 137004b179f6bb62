import type { KafkaMessage } from 'kafkajs';
import type { MemberAssignment } from '../consumer/assignment';
import type { TriggerData } from '../formats/trigger-data';
import type { TransactionScope } from '../transactions/transaction-scope';

/**
 * How the flow ended for one record: with an error, or not; or `dropped` when a flow stop closed a
 * node the record's message was on its way to, so that the flow never had it.
 */
export interface FlowOutcome {
  error?: unknown;
  dropped?: true;
}

/** Called once with how the flow ended for a msg (a callback, not a promise: it runs once per record). */
export type Settle = (outcome: FlowOutcome) => void;

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
  /**
   * Hands a record to the flow and calls `settle` once the flow has finished with it or given up on
   * it. With a `scope` (exactly-once delivery), kafka-produce nodes write for the msg through it.
   */
  sendTracked(data: TriggerData, record: KafkaMessage, settle: Settle, scope?: TransactionScope): void;
  /** Hands records of one partition, in offset order, to the flow as one msg (batch output). */
  sendBatch(data: TriggerData[], records: KafkaMessage[]): void;
  /** Like sendBatch; calls `settle` once the flow has finished with the msg or given up on it. */
  sendBatchTracked(
    data: TriggerData[],
    records: KafkaMessage[],
    settle: Settle,
    scope?: TransactionScope,
  ): void;
  /** The flow finished a record with an error, or did not finish it in time (complete delivery). */
  onRecordFailed(failure: RecordFailure): void;
  /** Node-RED could not send a record at all (hand-off delivery); it is passed over. */
  onSendFailed(failure: RecordError): void;
  /** When the flows run, and whether a flow stop may have dropped what was sent. */
  flows: FlowGate;
}

/**
 * The flows' runs between stops, as a sender needs them: Node-RED closes every node of a stopping
 * flow at once, and a message sent but not yet delivered (delivery is asynchronous) is dropped by a
 * receiver that was closed meanwhile, as is one sent while a deploy is between stop and start.
 */
export interface FlowGate {
  /** Whether the flows run now (not between a deploy's stop and start). */
  isRunning(): boolean;
  /** Resolves true once the flows run (at once, or when the deploy under way has started them), or false after `ms`. */
  running(ms: number): Promise<boolean>;
  /** Marks the current run; taken while the flows run, before sending. */
  mark(): number;
  /** Resolves once what was sent before has been delivered: true, or false when the run of `mark` was stopped first. */
  delivered(mark: number): Promise<boolean>;
}

/** Records of one partition as a delivery gets them: a kafkajs fetch's batch, or a part of it. */
export interface FetchedBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
  /** Moves the fetch position past `offset`; only the delivery's commits decide what is committed. */
  resolveOffset: (offset: string) => void;
  heartbeat: () => Promise<void>;
  isRunning: () => boolean;
  isStale: () => boolean;
}

/** One way of handing batches to the flow and deciding which offsets to commit (kafkajs's autoCommit stays off). */
export interface BatchDelivery {
  /** Hands the batch's records to the flow; resolves with how many it handed over. */
  handleBatch(batch: FetchedBatch): Promise<number>;
  /** The partitions this member now owns, by topic. */
  assigned(assignment: MemberAssignment): void;
  /** Stops taking records and, within the budget, waits for those in flight and commits them. */
  finish(budgetMs: number): Promise<void>;
  /**
   * Before a seek (the partitions are held): resolves true once no record of the partition is in
   * the flow any more and what is finished is committed, or false when that took over `budgetMs`.
   */
  settle(topic: string, partition: number, budgetMs: number): Promise<boolean>;
  /** After a seek: records `offset` (the next to read) as the partition's committed position. */
  moveTo(topic: string, partition: number, offset: string): void;
  /** After the session failed: lets go of what it holds at once (exactly-once's producers). */
  abandon?(): Promise<void>;
}
