// FlowLifecycle on a fake runtime event bus: what the nodes learn of flows stopping and starting.
import { EventEmitter } from 'node:events';
import should from 'should';
import type { NodeAPI } from 'node-red';
import { FlowLifecycle, flowLifecycleOf } from '../../src/nodes/flow-lifecycle';
import { useFakeClock } from '../support/fake-clock';

/** The runtime's events as FlowLifecycle uses them, and a deploy made of them. */
function runtime() {
  const events = new EventEmitter();
  const lifecycle = new FlowLifecycle(events);
  return {
    events,
    lifecycle,
    stop: () => void events.emit('flows:stopping'),
    start: () => void events.emit('flows:started'),
  };
}

describe('flow lifecycle', () => {
  const fake = useFakeClock();

  it('counts the flow stops; a mark taken before a stop differs from the count after it', () => {
    const { lifecycle, stop, start } = runtime();
    const mark = lifecycle.mark();
    should(lifecycle.stops).equal(0);
    stop();
    start();
    stop();
    should(lifecycle.stops).equal(2);
    should(lifecycle.mark()).equal(2);
    should(mark).not.equal(lifecycle.mark());
  });

  it('says the flows run at once while they run', async () => {
    const { lifecycle } = runtime();
    should(await lifecycle.running(0)).be.true();
  });

  it('between stop and start, waits for the start and says they run', async () => {
    const { lifecycle, stop, start } = runtime();
    stop();
    let answer: boolean | undefined;
    const waiting = lifecycle.running(10000).then((running) => (answer = running));
    await fake.clock.tickAsync(9999);
    should(answer).be.undefined();
    start();
    await waiting;
    should(answer).be.true();
    // The start ended the wait: its timer is gone.
    should(fake.clock.countTimers()).equal(0);
  });

  it('between stop and start, gives up after the time asked for and says they do not run', async () => {
    const { lifecycle, stop } = runtime();
    stop();
    let answer: boolean | undefined;
    void lifecycle.running(500).then((running) => (answer = running));
    await fake.clock.tickAsync(499);
    should(answer).be.undefined();
    await fake.clock.tickAsync(1);
    should(answer).be.false();
  });

  it('runs what waits for the start once the flows have started, once, unless cancelled', () => {
    const { lifecycle, stop, start } = runtime();
    const started: string[] = [];
    stop();
    lifecycle.afterStart(() => started.push('a'));
    const cancel = lifecycle.afterStart(() => started.push('b'));
    cancel();
    should(started).be.empty();
    start();
    should(started).eql(['a']);
    stop();
    start();
    should(started).eql(['a']);
  });

  it('tells whether a stop began since the mark, after the deliveries queued before', async () => {
    const { lifecycle, stop } = runtime();
    const order: string[] = [];
    const mark = lifecycle.mark();
    // Node-RED queues a delivery with setImmediate: it happens before delivered() answers.
    setImmediate(() => order.push('delivery'));
    const answer = lifecycle.delivered(mark).then((delivered) => order.push(`delivered ${delivered}`));
    await answer;
    should(order).eql(['delivery', 'delivered true']);

    const before = lifecycle.mark();
    const overtaken = lifecycle.delivered(before);
    stop();
    should(await overtaken).be.false();
  });

  it('is one per runtime, with one listener pair however many nodes ask', () => {
    const events = new EventEmitter();
    const RED = { events } as unknown as NodeAPI;
    const first = flowLifecycleOf(RED);
    should(flowLifecycleOf(RED)).equal(first);
    should(events.listenerCount('flows:stopping')).equal(1);
    should(events.listenerCount('flows:started')).equal(1);
    should(flowLifecycleOf({ events: new EventEmitter() } as unknown as NodeAPI)).not.equal(first);
  });
});
