// What the two delivery modes commit when a flow stop overtakes the messages they sent: a fake
// kafkajs batch and consumer, and a flow gate the test stops and starts by hand.
import should from 'should';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { DeliveryHooks, FlowGate, FlowOutcome } from '../../src/kafka/batch-delivery';
import { CompletionDelivery } from '../../src/kafka/completion-delivery';
import { HandoffDelivery } from '../../src/kafka/handoff-delivery';
import { InFlightLimit } from '../../src/kafka/in-flight-limit';
import { ProcessingClock, type TriggerData } from '../../src/kafka/trigger-data';
import { RecordDecoder } from '../../src/kafka/record-decoder';

const DEFAULT_DECODER = new RecordDecoder({ message: 'auto', key: 'text' }, undefined);

/** A flow gate whose runs the test ends (`stop`) and begins (`start`). */
class ManualFlows implements FlowGate {
  stops = 0;
  isRunning = true;
  /** Called inside delivered(), where Node-RED would be delivering: the moment a stop can overtake. */
  duringDelivery: () => void = () => undefined;
  private waiting: (() => void)[] = [];

  stop(): void {
    this.stops += 1;
    this.isRunning = false;
  }

  start(): void {
    this.isRunning = true;
    for (const resume of this.waiting.splice(0)) resume();
  }

  async running(ms: number): Promise<boolean> {
    if (this.isRunning) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.isRunning), ms);
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

function record(offset: number): KafkaMessage {
  return {
    key: null,
    value: Buffer.from(JSON.stringify({ n: offset })),
    timestamp: '0',
    attributes: 0,
    offset: String(offset),
    headers: {},
  } as KafkaMessage;
}

interface Harness {
  flows: ManualFlows;
  sent: number[];
  committed: string[];
  resolved: string[];
  hooks: DeliveryHooks;
  consumer: Consumer;
  batch(offsets: number[]): EachBatchPayload;
}

function harness(outcome: (offset: number) => Promise<FlowOutcome> = async () => ({})): Harness {
  const flows = new ManualFlows();
  const sent: number[] = [];
  const committed: string[] = [];
  const resolved: string[] = [];
  const offsetOf = (data: TriggerData) => data.offset;
  const hooks: DeliveryHooks = {
    send: (data) => void sent.push(offsetOf(data)),
    sendTracked: (data) => {
      sent.push(offsetOf(data));
      return outcome(offsetOf(data));
    },
    onRecordFailed: () => undefined,
    onSendFailed: () => undefined,
    flows,
  };
  const consumer = {
    commitOffsets: async (offsets: { offset: string }[]) =>
      void committed.push(...offsets.map((o) => o.offset)),
  } as unknown as Consumer;
  const batch = (offsets: number[]): EachBatchPayload =>
    ({
      batch: { topic: 't', partition: 0, messages: offsets.map(record) },
      resolveOffset: (offset: string) => void resolved.push(offset),
      heartbeat: async () => undefined,
      isRunning: () => true,
      isStale: () => false,
    }) as unknown as EachBatchPayload;
  return { flows, sent, committed, resolved, hooks, consumer, batch };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('hand-off delivery across flow stops', () => {
  it('commits a batch once its messages were delivered', async () => {
    const h = harness();
    const delivery = new HandoffDelivery(h.hooks, DEFAULT_DECODER, new ProcessingClock(), h.consumer, 1000);
    should(await delivery.handleBatch(h.batch([0, 1, 2]))).equal(3);
    await settled();
    should(h.committed).eql(['3']);
  });

  it('commits nothing when a stop that closes the trigger overtakes the messages', async () => {
    const h = harness();
    const delivery = new HandoffDelivery(h.hooks, DEFAULT_DECODER, new ProcessingClock(), h.consumer, 1000);
    h.flows.duringDelivery = () => {
      h.flows.stop();
      void delivery.finish();
    };
    should(await delivery.handleBatch(h.batch([0, 1, 2]))).equal(0);
    await settled();
    should(h.committed).be.empty();
    should(h.resolved).be.empty();
  });

  it('sends the batch again once the flows run when a stop of other nodes overtakes it', async () => {
    const h = harness();
    const delivery = new HandoffDelivery(h.hooks, DEFAULT_DECODER, new ProcessingClock(), h.consumer, 1000);
    h.flows.duringDelivery = () => {
      h.flows.stop();
      setTimeout(() => h.flows.start(), 10);
    };
    should(await delivery.handleBatch(h.batch([0, 1]))).equal(2);
    await settled();
    should(h.sent).eql([0, 1, 0, 1]);
    should(h.committed).eql(['2']);
  });

  it('sends nothing while a deploy is between stop and start, nor once it is closing', async () => {
    const h = harness();
    const delivery = new HandoffDelivery(h.hooks, DEFAULT_DECODER, new ProcessingClock(), h.consumer, 1000);
    h.flows.stop();
    const handled = delivery.handleBatch(h.batch([5]));
    await settled();
    should(h.sent).be.empty();
    h.flows.start();
    should(await handled).equal(1);
    await delivery.finish();
    should(await delivery.handleBatch(h.batch([6]))).equal(0);
    should(h.sent).eql([5]);
  });
  it('a close while it waits for the flows to run ends the wait at once', async () => {
    const h = harness();
    // A heartbeat interval far beyond mocha's 2 s timeout: only the close can end the wait.
    const delivery = new HandoffDelivery(h.hooks, DEFAULT_DECODER, new ProcessingClock(), h.consumer, 600000);
    h.flows.stop();
    const handled = delivery.handleBatch(h.batch([1]));
    await settled();
    await delivery.finish();
    should(await handled).equal(0);
    should(h.sent).be.empty();
  });
});

describe('flow-controlled delivery across flow stops', () => {
  const options = (h: Harness, limit: InFlightLimit) => ({
    consumer: h.consumer,
    hooks: h.hooks,
    decoder: DEFAULT_DECODER,
    clock: new ProcessingClock(),
    limit,
    heartbeatInterval: 1000,
    deadLetterTopic: undefined,
    deadLetter: async () => undefined,
  });

  it('sends a dropped record again once the flows run, and commits it when it is done', async () => {
    let drops = 1;
    const h = harness(async () => (drops-- > 0 ? { dropped: true } : {}));
    const limit = new InFlightLimit(10);
    const delivery = new CompletionDelivery(options(h, limit));
    await delivery.handleBatch(h.batch([7]));
    await settled();
    should(h.sent).eql([7, 7]);
    should(h.committed).eql(['8']);
    should(limit.size).equal(0);
  });

  it('leaves a record dropped while closing uncommitted, and frees its place at once', async () => {
    let finishDrop: (outcome: FlowOutcome) => void = () => undefined;
    const h = harness(() => new Promise((resolve) => (finishDrop = resolve)));
    const limit = new InFlightLimit(10);
    const delivery = new CompletionDelivery(options(h, limit));
    await delivery.handleBatch(h.batch([3]));
    const finishing = delivery.finish(5000);
    finishDrop({ dropped: true });
    await finishing;
    should(h.sent).eql([3]);
    should(h.committed).be.empty();
    should(limit.size).equal(0);
  });

  it('a close while a dropped record waits for the flows to run leaves it uncommitted at once', async () => {
    const h = harness(async () => ({ dropped: true }));
    const limit = new InFlightLimit(10);
    const delivery = new CompletionDelivery({ ...options(h, limit), heartbeatInterval: 600000 });
    await delivery.handleBatch(h.batch([4]));
    h.flows.stop();
    await settled();
    await delivery.finish(600000);
    should(h.committed).be.empty();
    should(limit.size).equal(0);
  });
});
