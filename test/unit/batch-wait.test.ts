// BatchWait, the wait for partial batches, over a hand-off delivery on the harness's fake batch:
// what it holds, resolves, sends once its wait is over, and drops.
import should from 'should';
import { HandoffDelivery } from '../../src/delivery/handoff-delivery';
import { BatchWait } from '../../src/delivery/batch-wait';
import { ProcessingClock } from '../../src/formats/trigger-data';
import type { BatchDelivery } from '../../src/delivery/delivery';
import { until, useFakeClock } from '../support/fake-clock';
import { DEFAULT_DECODER, harness, type Harness } from '../support/delivery-harness';

function handoff(h: Harness, batchSize: number, decoder = DEFAULT_DECODER): HandoffDelivery {
  return new HandoffDelivery(h.hooks, decoder, new ProcessingClock(), h.consumer, 1000, batchSize);
}

describe('batch wait', () => {
  const fake = useFakeClock();

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
