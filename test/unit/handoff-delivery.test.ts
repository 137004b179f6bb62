// HandoffDelivery on the harness's fake batch and flows: what it sends, in which msgs, and what it
// commits when a flow stop overtakes the messages it sent.
import should from 'should';
import { HandoffDelivery } from '../../src/delivery/handoff-delivery';
import { RecordDecoder } from '../../src/formats/record-decoder';
import { ProcessingClock } from '../../src/formats/trigger-data';
import { DEFAULT_DECODER, harness, type Harness } from '../support/delivery-harness';
import { flush, until, useFakeClock } from '../support/fake-clock';

/** A hand-off delivery in record output on the harness. */
function handoff(h: Harness, heartbeatInterval = 1000): HandoffDelivery {
  return new HandoffDelivery(
    h.hooks,
    DEFAULT_DECODER,
    new ProcessingClock(),
    h.consumer,
    heartbeatInterval,
    undefined,
  );
}

/** The offsets from `from` up to `to`. */
const offsets = (from: number, to: number) => [...Array(to - from).keys()].map((n) => n + from);

describe('hand-off delivery across flow stops', () => {
  const fake = useFakeClock();

  it('commits a batch once its messages were delivered', async () => {
    const h = harness();
    const delivery = handoff(h);
    should(await delivery.handleBatch(h.batch([0, 1, 2]))).equal(3);
    await delivery.settle();
    should(h.committed).eql(['3']);
  });

  it('commits nothing when a stop that closes the trigger overtakes the messages', async () => {
    const h = harness();
    const delivery = handoff(h);
    h.flows.duringDelivery = () => {
      h.flows.stop();
      void delivery.finish();
    };
    should(await delivery.handleBatch(h.batch([0, 1, 2]))).equal(0);
    await delivery.finish();
    should(h.committed).be.empty();
    should(h.resolved).be.empty();
  });

  it('sends the batch again once the flows run when a stop of other nodes overtakes it', async () => {
    const h = harness();
    const delivery = handoff(h);
    h.flows.duringDelivery = () => h.flows.stop();
    const handled = delivery.handleBatch(h.batch([0, 1]));
    await until(fake.clock, () => !h.flows.isRunning(), 'the stop');
    await fake.clock.tickAsync(10);
    should(h.sent).eql([0, 1]);
    h.flows.start();
    should(await handled).equal(2);
    await delivery.settle();
    should(h.sent).eql([0, 1, 0, 1]);
    should(h.committed).eql(['2']);
  });

  /** Offsets 0 to count - 1, and how many were sent each time the delivery waited for delivery. */
  function longBatch(h: Harness, count: number, onWait: (wait: number) => void = () => undefined) {
    const sentAtWaits: number[] = [];
    const delivered = h.flows.delivered.bind(h.flows);
    h.flows.delivered = (mark) => {
      sentAtWaits.push(h.sent.length);
      onWait(sentAtWaits.length);
      return delivered(mark);
    };
    return { batch: h.batch(offsets(0, count)), sentAtWaits };
  }

  it('hands a long batch over a part at a time, each delivered before the next is sent', async () => {
    const h = harness();
    const { batch, sentAtWaits } = longBatch(h, 600);
    should(await handoff(h).handleBatch(batch)).equal(600);
    should(sentAtWaits).eql([256, 512, 600]);
    should(h.sent).eql(offsets(0, 600));
  });

  it('sends only the part a stop of other nodes overtook again', async () => {
    const h = harness();
    const { batch } = longBatch(h, 600, (wait) => {
      if (wait === 2) h.flows.stop();
    });
    const delivery = handoff(h);
    const handled = delivery.handleBatch(batch);
    await until(fake.clock, () => !h.flows.isRunning(), 'the stop');
    h.flows.start();
    should(await handled).equal(600);
    await delivery.settle();
    should(h.sent).eql([...offsets(0, 512), ...offsets(256, 600)]);
    should(h.committed).eql(['600']);
  });

  it('commits the parts delivered before a stop that closes the trigger overtook the next', async () => {
    const h = harness();
    const delivery = handoff(h);
    const { batch } = longBatch(h, 600, (wait) => {
      if (wait !== 2) return;
      h.flows.stop();
      void delivery.finish();
    });
    should(await delivery.handleBatch(batch)).equal(256);
    await delivery.finish();
    should(h.committed).eql(['256']);
    should(h.resolved).eql(['255']);
  });

  it('sends nothing while a deploy is between stop and start, nor once it is closing', async () => {
    const h = harness();
    const delivery = handoff(h);
    h.flows.stop();
    const handled = delivery.handleBatch(h.batch([5]));
    // A stop longer than several heartbeat intervals: the delivery keeps waiting, sending nothing.
    await fake.clock.tickAsync(5000);
    should(h.sent).be.empty();
    h.flows.start();
    should(await handled).equal(1);
    await delivery.finish();
    should(await delivery.handleBatch(h.batch([6]))).equal(0);
    should(h.sent).eql([5]);
  });
  it('a close while it waits for the flows to run ends the wait at once', async () => {
    const h = harness();
    // A heartbeat interval that fake time never reaches: only the close can end the wait.
    const delivery = handoff(h, 600000);
    h.flows.stop();
    const handled = delivery.handleBatch(h.batch([1]));
    await flush();
    await delivery.finish();
    should(await handled).equal(0);
    should(h.sent).be.empty();
  });
});

describe('hand-off delivery in batch output', () => {
  /** A hand-off delivery in batch output on the harness. */
  const batching = (h: Harness, batchSize: number, decoder = DEFAULT_DECODER) =>
    new HandoffDelivery(h.hooks, decoder, new ProcessingClock(), h.consumer, 1000, batchSize);

  it('sends a fetch as msgs of at most the batch size, in offset order, and commits past the last', async () => {
    const h = harness();
    const delivery = batching(h, 4);
    should(await delivery.handleBatch(h.batch(offsets(10, 20)))).equal(10);
    await delivery.settle();
    should(h.batches).eql([offsets(10, 14), offsets(14, 18), offsets(18, 20)]);
    should(h.sent).be.empty();
    should(h.committed).eql(['20']);
  });

  it('leaves an undecodable record out of its batch and reports it', async () => {
    const h = harness();
    const failed: string[] = [];
    h.hooks.onSendFailed = ({ offset }) => void failed.push(offset);
    const registryFormat = new RecordDecoder({ message: 'schema-registry', key: 'text' }, undefined);
    // Not in wire format: every record fails with that format, so none is sent and all are reported.
    should(await batching(h, 2, registryFormat).handleBatch(h.batch([1, 2, 3]))).equal(3);
    should(failed).eql(['1', '2', '3']);
    should(h.batches).be.empty();
  });
});
