// Batch output in both deliveries, and the wait for a partial batch, on a fake kafkajs batch and
// consumer: what each msg holds, what is resolved and what is committed.
import should from 'should';
import { CompleteDelivery } from '../../src/delivery/complete-delivery';
import { HandoffDelivery } from '../../src/delivery/handoff-delivery';
import { InFlightLimit } from '../../src/delivery/in-flight-limit';
import { BatchWait } from '../../src/delivery/batch-wait';
import { RecordDecoder } from '../../src/formats/record-decoder';
import { ProcessingClock } from '../../src/formats/trigger-data';
import type { BatchDelivery, FlowOutcome } from '../../src/delivery/delivery';
import { until, useFakeClock } from '../support/fake-clock';
import { DEFAULT_DECODER, harness, type Harness } from '../support/delivery-harness';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);

function handoff(h: Harness, batchSize: number, decoder = DEFAULT_DECODER): HandoffDelivery {
  return new HandoffDelivery(h.hooks, decoder, new ProcessingClock(), h.consumer, 1000, batchSize);
}

function completion(
  h: Harness,
  batchSize: number,
  deadLettered: string[] = [],
  limit = new InFlightLimit(1000),
): CompleteDelivery {
  return new CompleteDelivery({
    consumer: h.consumer,
    hooks: h.hooks,
    decoder: DEFAULT_DECODER,
    clock: new ProcessingClock(),
    limit,
    heartbeatInterval: 1000,
    batchSize,
    deadLetterTopic: 'dead',
    deadLetter: async (_topic, _partition, record) => void deadLettered.push(record.offset),
  });
}

describe('batch output', () => {
  const fake = useFakeClock();

  describe('on hand-off', () => {
    it('sends a fetch as msgs of at most the batch size, in offset order, and commits past the last', async () => {
      const h = harness();
      const delivery = handoff(h, 4);
      should(await delivery.handleBatch(h.batch(range(10, 20)))).equal(10);
      await delivery.settle();
      should(h.batches).eql([range(10, 14), range(14, 18), range(18, 20)]);
      should(h.sent).be.empty();
      should(h.committed).eql(['20']);
    });

    it('leaves an undecodable record out of its batch and reports it', async () => {
      const h = harness();
      const failed: string[] = [];
      h.hooks.onSendFailed = ({ offset }) => void failed.push(offset);
      const registryFormat = new RecordDecoder({ message: 'schema-registry', key: 'text' }, undefined);
      // Not in wire format: every record fails with that format, so none is sent and all are reported.
      should(await handoff(h, 2, registryFormat).handleBatch(h.batch([1, 2, 3]))).equal(3);
      should(failed).eql(['1', '2', '3']);
      should(h.batches).be.empty();
    });
  });

  describe('after the flow completes', () => {
    it('commits a batch in one commit, only once its msg is finished', async () => {
      let finish: (outcome: FlowOutcome) => void = () => undefined;
      const h = harness(() => new Promise((resolve) => (finish = resolve)));
      const limit = new InFlightLimit(1000);
      should(await completion(h, 3, [], limit).handleBatch(h.batch([0, 1, 2]))).equal(3);
      should(h.batches).eql([[0, 1, 2]]);
      should(limit.size).equal(3);
      // However long the flow takes, nothing is committed before it is done.
      await fake.clock.tickAsync(60000);
      should(h.committed).be.empty();
      finish({});
      await until(fake.clock, () => h.committed.length > 0, 'the commit');
      should(h.committed).eql(['3']);
      should(limit.size).equal(0);
    });

    it('dead-letters every record of a failed batch and commits past them', async () => {
      const h = harness(async (offset) => (offset === 4 ? { error: new Error('boom') } : {}));
      const deadLettered: string[] = [];
      await completion(h, 2, deadLettered).handleBatch(h.batch([4, 5, 6]));
      await until(fake.clock, () => h.committed.includes('7'), 'the commit past the last record');
      should(h.batches).eql([[4, 5], [6]]);
      should(deadLettered).eql(['4', '5']);
    });

    it('waits for room below max_in_flight before each batch', async () => {
      const finishes: ((outcome: FlowOutcome) => void)[] = [];
      const h = harness(() => new Promise((resolve) => finishes.push(resolve)));
      const handled = completion(h, 2, [], new InFlightLimit(2)).handleBatch(h.batch([0, 1, 2, 3]));
      // Several heartbeat intervals at the cap: the second batch waits all along.
      await fake.clock.tickAsync(5000);
      should(h.batches).eql([[0, 1]]);
      for (const finish of finishes.splice(0)) finish({});
      should(await handled).equal(4);
      should(h.batches).eql([
        [0, 1],
        [2, 3],
      ]);
    });
  });

  describe('with a wait for partial batches', () => {
    it('holds a partial batch (resolved, not committed) and fills it from the next fetch', async () => {
      const h = harness();
      const late: number[] = [];
      const batches = new BatchWait(handoff(h, 3), 3, 60000, (records) => late.push(records));
      should(await batches.handleBatch(h.batch([0, 1]))).equal(0);
      should(h.resolved).eql(['1']);
      should(h.batches).be.empty();
      should(await batches.handleBatch(h.batch([2, 3, 4, 5]))).equal(6);
      should(await batches.settle('t', 0, 0)).be.true();
      should(h.batches).eql([
        [0, 1, 2],
        [3, 4, 5],
      ]);
      should(h.committed).eql(['6']);
      await batches.finish(0);
      should(late).be.empty();
    });

    it('sends a partial batch once its wait is over, and counts it', async () => {
      const h = harness();
      const late: number[] = [];
      const batches = new BatchWait(handoff(h, 10), 10, 30, (records) => late.push(records));
      await batches.handleBatch(h.batch([7]));
      await fake.clock.tickAsync(29);
      should(h.batches).be.empty();
      await fake.clock.tickAsync(1);
      await until(fake.clock, () => h.batches.length > 0, 'the held batch');
      should(h.batches).eql([[7]]);
      await until(fake.clock, () => h.committed.length > 0, 'its commit');
      should(h.committed).eql(['8']);
      should(late).eql([1]);
    });

    it('drops what it holds on a new assignment and on close: it is fetched again from the committed offset', async () => {
      const h = harness();
      const batches = new BatchWait(handoff(h, 10), 10, 20, () => undefined);
      await batches.handleBatch(h.batch([0, 1]));
      batches.assigned({ t: [0] });
      await batches.handleBatch(h.batch([5]));
      await batches.finish(0);
      // Past the wait of everything it held: no timer sends it.
      await fake.clock.tickAsync(60);
      should(h.batches).be.empty();
      should(h.committed).be.empty();
    });

    it('moves fetching back to the first record not taken when the delivery takes a fetch in part', async () => {
      const h = harness();
      const takeNone: BatchDelivery = {
        handleBatch: async () => 0,
        assigned: () => undefined,
        settle: async () => true,
        moveTo: () => undefined,
        finish: async () => undefined,
      };
      const batches = new BatchWait(takeNone, 3, 60000, () => undefined);
      await batches.handleBatch(h.batch([0, 1]));
      should(h.resolved).eql(['1']);
      // Paused now: the held records and the new ones are refused, so fetching starts again at 0.
      should(await batches.handleBatch(h.batch([2, 3, 4]))).equal(0);
      should(h.resolved).eql(['1', '-1']);
    });

    it('keeps held records that a timer could not send (paused) and sends them once it can', async () => {
      const h = harness();
      let open = false;
      const sent: number[][] = [];
      const gated: BatchDelivery = {
        handleBatch: async ({ messages }) => {
          if (!open) return 0;
          sent.push(messages.map((record) => Number(record.offset)));
          return messages.length;
        },
        assigned: () => undefined,
        settle: async () => true,
        moveTo: () => undefined,
        finish: async () => undefined,
      };
      const batches = new BatchWait(gated, 10, 20, () => undefined);
      await batches.handleBatch(h.batch([5, 6]));
      await fake.clock.tickAsync(60);
      should(sent).be.empty();
      open = true;
      await until(fake.clock, () => sent.length > 0, 'the held records');
      should(sent).eql([[5, 6]]);
      await batches.finish(0);
    });
  });
});
