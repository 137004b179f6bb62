// CompleteDelivery on the harness's fake batch and flows: what it sends, and what
// it commits once the flow is done, fails, or a flow stop drops the messages it sent.
import should from 'should';
import type { FlowOutcome } from '../../src/delivery/delivery';
import { CompleteDelivery } from '../../src/delivery/complete-delivery';
import { InFlightLimit } from '../../src/delivery/in-flight-limit';
import { ProcessingClock } from '../../src/formats/trigger-data';
import { DEFAULT_DECODER, harness, type Harness } from '../support/delivery-harness';
import { flush, until, useFakeClock } from '../support/fake-clock';

/** A complete delivery in batch output on the harness. */
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

describe('complete delivery across flow stops', () => {
  const fake = useFakeClock();
  const options = (h: Harness, limit: InFlightLimit) => ({
    consumer: h.consumer,
    hooks: h.hooks,
    decoder: DEFAULT_DECODER,
    clock: new ProcessingClock(),
    limit,
    heartbeatInterval: 1000,
    batchSize: undefined,
    deadLetterTopic: undefined,
    deadLetter: async () => undefined,
  });

  it('sends a dropped record again once the flows run, and commits it when it is done', async () => {
    let drops = 1;
    const h = harness(async () => (drops-- > 0 ? { dropped: true } : {}));
    const limit = new InFlightLimit(10);
    const delivery = new CompleteDelivery(options(h, limit));
    await delivery.handleBatch(h.batch([7]));
    await until(fake.clock, () => limit.size === 0, 'the record done');
    should(await delivery.settle('t', 0, 0)).be.true();
    should(h.sent).eql([7, 7]);
    should(h.committed).eql(['8']);
    should(limit.size).equal(0);
  });

  it('leaves a record dropped while closing uncommitted, and frees its place at once', async () => {
    let finishDrop: (outcome: FlowOutcome) => void = () => undefined;
    const h = harness(() => new Promise((resolve) => (finishDrop = resolve)));
    const limit = new InFlightLimit(10);
    const delivery = new CompleteDelivery(options(h, limit));
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
    const delivery = new CompleteDelivery({ ...options(h, limit), heartbeatInterval: 600000 });
    await delivery.handleBatch(h.batch([4]));
    h.flows.stop();
    await flush();
    await delivery.finish(600000);
    should(h.committed).be.empty();
    should(limit.size).equal(0);
  });
});

describe('complete delivery in batch output', () => {
  const fake = useFakeClock();

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
