// A fake kafkajs batch (on fake-kafka.ts's consumer) for the deliveries' unit tests, and a flow
// gate the test stops and starts by hand. Only the deliveries' own logic runs; the integration
// tests run them on Kafka.
import type { Consumer, KafkaMessage } from 'kafkajs';
import type { DeliveryHooks, FetchedBatch, FlowGate, FlowOutcome } from '../../src/delivery/delivery';
import { RecordDecoder } from '../../src/formats/record-decoder';
import type { TriggerData } from '../../src/formats/trigger-data';
import type { ConsumerState, TriggerConsumerHooks } from '../../src/consumer/trigger-consumer';
import { FakeConsumerBase } from './fake-kafka';

export const DEFAULT_DECODER = new RecordDecoder({ message: 'auto', key: 'text' }, undefined);

/** A flow gate whose runs the test ends (`stop`) and begins (`start`). */
export class ManualFlows implements FlowGate {
  stops = 0;
  runs = true;
  /** Called inside delivered(), where Node-RED would be delivering: the moment a stop can overtake. */
  duringDelivery: () => void = () => undefined;
  private waiting: (() => void)[] = [];

  stop(): void {
    this.stops += 1;
    this.runs = false;
  }

  start(): void {
    this.runs = true;
    for (const resume of this.waiting.splice(0)) resume();
  }

  isRunning(): boolean {
    return this.runs;
  }

  async running(ms: number): Promise<boolean> {
    if (this.runs) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.runs), ms);
      timer.unref();
      this.waiting.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  mark(): number {
    return this.stops;
  }

  async delivered(mark: number): Promise<boolean> {
    await new Promise((resolve) => setImmediate(resolve));
    const during = this.duringDelivery;
    this.duringDelivery = () => undefined;
    during();
    return this.stops === mark;
  }
}

export function record(offset: number): KafkaMessage {
  return {
    key: null,
    value: Buffer.from(JSON.stringify({ n: offset })),
    timestamp: '0',
    attributes: 0,
    offset: String(offset),
    headers: {},
  };
}

export interface Harness {
  flows: ManualFlows;
  sent: number[];
  /** The offsets committed, in order. */
  readonly committed: string[];
  resolved: string[];
  hooks: DeliveryHooks;
  consumer: Consumer;
  /** The offsets of each batch msg, in the order sent. */
  batches: number[][];
  batch(offsets: number[]): FetchedBatch;
}

export function harness(outcome: (offset: number) => Promise<FlowOutcome> = async () => ({})): Harness {
  const flows = new ManualFlows();
  const sent: number[] = [];
  const resolved: string[] = [];
  const batches: number[][] = [];
  const offsetOf = (data: TriggerData) => data.offset;
  const hooks: DeliveryHooks = {
    send: (data) => void sent.push(offsetOf(data)),
    sendTracked: (data, _record, settle) => {
      sent.push(offsetOf(data));
      void outcome(offsetOf(data)).then(settle);
    },
    sendBatch: (data) => void batches.push(data.map(offsetOf)),
    // A batch msg's outcome is the outcome of its first record's offset.
    sendBatchTracked: (data, _records, settle) => {
      batches.push(data.map(offsetOf));
      void outcome(offsetOf(data[0])).then(settle);
    },
    onRecordFailed: () => undefined,
    onSendFailed: () => undefined,
    flows,
  };
  const fake = new FakeConsumerBase();
  const batch = (offsets: number[]): FetchedBatch => ({
    topic: 't',
    partition: 0,
    messages: offsets.map(record),
    resolveOffset: (offset: string) => void resolved.push(offset),
    heartbeat: async () => undefined,
    isRunning: () => true,
    isStale: () => false,
  });
  return {
    flows,
    sent,
    get committed() {
      return fake.commits.map((commit) => commit.offset);
    },
    resolved,
    batches,
    hooks,
    consumer: fake as unknown as Consumer,
    batch,
  };
}

/** Hooks for a TriggerConsumer test that only watches its states: every send succeeds, the flows always run. */
export function statesOnlyHooks(onState: (state: ConsumerState) => void): TriggerConsumerHooks {
  return {
    onState,
    send: () => undefined,
    sendTracked: (_data, _record, settle) => settle({}),
    sendBatch: () => undefined,
    sendBatchTracked: (_data, _records, settle) => settle({}),
    onRecordFailed: () => undefined,
    onSendFailed: () => undefined,
    flows: { isRunning: () => true, running: async () => true, mark: () => 0, delivered: async () => true },
  };
}
