// ExactlyOnceDelivery on delivery-harness.ts's fake batch and flows and fake-transactions.ts's
// transactional producers: a flow that may write through a msg's transaction scope before it
// settles, the group's committed offsets on a fake admin that the test can hold, and what the
// delivery told (transaction ends, failed sessions, failed records).
import type { Admin } from 'kafkajs';
import { PartitionControl } from '../../src/consumer/partition-control';
import type { FlowOutcome, RecordFailure } from '../../src/delivery/delivery';
import {
  ExactlyOnceDelivery,
  type ExactlyOnceDeliveryOptions,
} from '../../src/delivery/exactly-once-delivery';
import { InFlightLimit } from '../../src/delivery/in-flight-limit';
import { ProcessingClock } from '../../src/formats/trigger-data';
import { PartitionChoices } from '../../src/producer/partition-choices';
import type { TransactionScope } from '../../src/transactions/transaction-scope';
import { DEFAULT_DECODER, harness, type Harness } from './delivery-harness';
import { FakeAdmin, type FakeConsumerBase } from './fake-kafka';
import { fakeTransactionalKafka, type FakeTransactionalProducer } from './fake-transactions';

/** The flow of one msg (its first record's offset): what it does with the msg's scope, and how it ends. */
export type EosFlow = (offset: number, scope: TransactionScope | undefined) => Promise<FlowOutcome>;

export interface EosHarness {
  h: Harness;
  consumer: FakeConsumerBase;
  control: PartitionControl;
  limit: InFlightLimit;
  delivery: ExactlyOnceDelivery;
  /** How each transaction ended, in order. */
  ends: string[];
  /** The errors each failSession was called with. */
  sessionFailures: unknown[];
  recordFailures: RecordFailure[];
  /** The producer of partition `partition` of topic t (group g). */
  producer(partition: number): FakeTransactionalProducer;
  /** Makes the look-ups of committed offsets wait; the function returned lets them go on. */
  holdAdmin(): () => void;
  isHeld(partition: number): boolean;
}

export interface EosOptions extends Partial<ExactlyOnceDeliveryOptions> {
  /** The group's committed offsets of topic t, by partition. */
  committed?: Record<number, string>;
  maxInFlight?: number;
}

export function eosHarness(flow: EosFlow = async () => ({}), options: EosOptions = {}): EosHarness {
  const h = harness();
  const fake = fakeTransactionalKafka(new FakeAdmin(['t'], { t: options.committed ?? {} }));
  let adminGate = Promise.resolve();
  const control = new PartitionControl();
  const limit = new InFlightLimit(options.maxInFlight ?? 10000);
  const ends: string[] = [];
  const sessionFailures: unknown[] = [];
  const recordFailures: RecordFailure[] = [];
  const hooks = {
    ...h.hooks,
    sendTracked: (...[data, , settle, scope]: Parameters<Harness['hooks']['sendTracked']>) => {
      h.sent.push(data.offset);
      void flow(data.offset, scope).then(settle);
    },
    sendBatchTracked: (...[data, , settle, scope]: Parameters<Harness['hooks']['sendBatchTracked']>) => {
      h.batches.push(data.map((entry) => entry.offset));
      void flow(data[0].offset, scope).then(settle);
    },
    onRecordFailed: (failure: RecordFailure) => void recordFailures.push(failure),
  };
  const delivery = new ExactlyOnceDelivery({
    consumer: h.consumer,
    kafka: fake.kafka,
    partitions: new PartitionChoices(),
    admin: async () => {
      await adminGate;
      return fake.admin as unknown as Admin;
    },
    control,
    hooks,
    decoder: DEFAULT_DECODER,
    clock: new ProcessingClock(),
    limit,
    heartbeatInterval: 1000,
    batchSize: undefined,
    groupId: 'g',
    deadLetterTopic: undefined,
    transactionInterval: 100,
    completeTimeout: 30000,
    onTransactionEnd: (end) => void ends.push(end),
    // As TriggerConsumer's recover(): the failed session's delivery lets go at once.
    failSession: (error) => {
      sessionFailures.push(error);
      void delivery.abandon();
    },
    ...options,
  });
  return {
    h,
    consumer: h.consumer as unknown as FakeConsumerBase,
    control,
    limit,
    delivery,
    ends,
    sessionFailures,
    recordFailures,
    producer: (partition) => fake.producerOf(`g/t/${partition}`),
    holdAdmin: () => {
      let release = () => undefined as void;
      adminGate = new Promise<void>((resolve) => (release = resolve));
      return () => {
        adminGate = Promise.resolve();
        release();
      };
    },
    isHeld: (partition) => control.hold.isHeld('t', partition),
  };
}

/** A flow that ends each msg only when the test says, by its offset (`finish(offset, outcome)`). */
export function heldFlow(): { flow: EosFlow; finish(offset: number, outcome?: FlowOutcome): void } {
  const waiting = new Map<number, (outcome: FlowOutcome) => void>();
  return {
    flow: (offset) => new Promise((resolve) => waiting.set(offset, resolve)),
    finish: (offset, outcome = {}) => {
      const finish = waiting.get(offset);
      if (!finish) throw new Error(`no msg of offset ${offset} in the flow`);
      waiting.delete(offset);
      finish(outcome);
    },
  };
}
