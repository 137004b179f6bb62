// FlowCompletion on fake Node-RED message hooks: the test plays the runtime's hook events for a msg
// going through a flow (sent, received, handler returned, done) and watches the outcome.
import { EventEmitter } from 'node:events';
import should from 'should';
import type { NodeAPI, NodeMessage } from 'node-red';
import type { FlowOutcome } from '../../src/delivery/delivery';
import { FlowCompletion, flowCompletionOf } from '../../src/nodes/flow-completion';
import { FlowLifecycle } from '../../src/nodes/flow-lifecycle';
import { flush, useFakeClock } from '../support/fake-clock';

type Hook = (event: unknown) => void;

/** Node-RED's hooks registry as FlowCompletion uses it: add by name, remove by `*.suffix`. */
class FakeHooks {
  readonly added = new Map<string, Hook>();

  add(name: string, hook: Hook): void {
    if (this.added.has(name)) throw new Error(`${name} is added twice`);
    this.added.set(name, hook);
  }

  remove(pattern: string): void {
    const suffix = pattern.startsWith('*') ? pattern.slice(1) : undefined;
    for (const name of [...this.added.keys()])
      if (suffix ? name.endsWith(suffix) : name === pattern) this.added.delete(name);
  }

  /** Runs the hooks of a message event (onSend, onReceive, postReceive, onComplete). */
  fire(event: string, payload: unknown): void {
    for (const [name, hook] of this.added) if (name.split('.')[0] === event) hook(payload);
  }
}

/** A node as the runtime hands it to the hooks: an input handler that takes done() or not. */
interface FakeNode {
  id: string;
  _expectedDoneCount?: number;
  _inputCallback?: unknown;
}

const takesDone = (id: string): FakeNode => ({ id, _expectedDoneCount: 1, _inputCallback: () => undefined });
const noDone = (id: string): FakeNode => ({ id, _expectedDoneCount: 0, _inputCallback: () => undefined });

function setup() {
  const hooks = new FakeHooks();
  const events = new EventEmitter();
  const lifecycle = new FlowLifecycle(events);
  const active = new Set<string>(['a', 'b', 'c']);
  const completion = new FlowCompletion(hooks as unknown as NodeAPI['hooks'], lifecycle, (id) =>
    active.has(id),
  );
  let count = 0;
  /** Sends a fresh msg tracked, with `send` playing what the runtime does at once; collects its outcome. */
  function track(send: (msg: NodeMessage) => void = () => undefined, timeoutMs = 60000) {
    const msg = { _msgid: `m${(count += 1)}`, payload: count };
    const outcome: { value?: FlowOutcome } = {};
    const settled = new Promise<FlowOutcome>((settle) =>
      completion.sendTracked(msg, { send: () => send(msg) }, timeoutMs, settle),
    ).then((value) => (outcome.value = value));
    return { msg, outcome, settled };
  }
  const flow = {
    send: (msg: NodeMessage, ...to: FakeNode[]) =>
      hooks.fire(
        'onSend',
        to.map((node) => ({ msg, destination: { id: node.id } })),
      ),
    receive: (msg: NodeMessage, node: FakeNode) =>
      hooks.fire('onReceive', { msg, destination: { id: node.id, node } }),
    returned: (msg: NodeMessage, node: FakeNode) =>
      hooks.fire('postReceive', { msg, destination: { id: node.id, node } }),
    /** A node other than the trigger sends a msg on. */
    sendFrom: (source: FakeNode, msg: NodeMessage, ...to: FakeNode[]) =>
      hooks.fire(
        'onSend',
        to.map((node) => ({ msg, source: { id: source.id, node: source }, destination: { id: node.id } })),
      ),
    done: (msg: NodeMessage, node: FakeNode, error?: unknown) =>
      hooks.fire('onComplete', { msg, error, node: { id: node.id, node } }),
    /** One node takes the msg through: received, handler returned, done. */
    through(msg: NodeMessage, node: FakeNode) {
      flow.receive(msg, node);
      flow.returned(msg, node);
      if (node._expectedDoneCount) flow.done(msg, node);
    },
  };
  return {
    hooks,
    completion,
    active,
    track,
    flow,
    stop: () => void events.emit('flows:stopping'),
    start: () => void events.emit('flows:started'),
  };
}

describe('flow completion', () => {
  const fake = useFakeClock();
  const HOOKS = ['onSend', 'onReceive', 'postReceive', 'onComplete'];
  const installed = (hooks: FakeHooks) => [...hooks.added.keys()].map((name) => name.split('.')[0]).sort();

  describe('hooks', () => {
    it('are installed while some trigger uses it, once however many do, and removed with the last', () => {
      const { hooks, completion } = setup();
      should(hooks.added.size).equal(0);
      completion.acquire();
      should(installed(hooks)).eql([...HOOKS].sort());
      completion.acquire();
      completion.release();
      should(hooks.added.size).equal(HOOKS.length);
      should(fake.clock.countTimers()).equal(1);
      completion.release();
      should(hooks.added.size).equal(0);
      // The timeout sweep goes with them.
      should(fake.clock.countTimers()).equal(0);
      completion.acquire();
      should(installed(hooks)).eql([...HOOKS].sort());
      completion.release();
    });

    it('leave other msgs alone, and what is still tracked when the last user leaves counts as dropped', async () => {
      const { completion, track, flow } = setup();
      completion.acquire();
      const other = { _msgid: 'not-tracked', payload: 0 };
      flow.send(other, takesDone('a'));
      flow.through(other, takesDone('a'));
      const { msg, outcome, settled } = track((msg) => flow.send(msg, takesDone('a')));
      flow.receive(msg, takesDone('a'));
      await flush();
      should(outcome.value).be.undefined();
      completion.release();
      await settled;
      should(outcome.value).eql({ dropped: true });
    });
  });

  describe('a msg', () => {
    let s: ReturnType<typeof setup>;
    beforeEach(() => {
      s = setup();
      s.completion.acquire();
    });
    afterEach(() => s.completion.release());

    it('that reached no node is complete at once', async () => {
      const { outcome, settled } = s.track();
      await settled;
      should(outcome.value).eql({});
    });

    it('is complete once every node it reached, clones included, has called done()', async () => {
      const [a, b] = [takesDone('a'), takesDone('b')];
      const { msg, outcome } = s.track((msg) => s.flow.send(msg, a, b));
      s.flow.through(msg, a);
      s.flow.receive(msg, b);
      s.flow.returned(msg, b);
      await flush();
      should(outcome.value).be.undefined();
      s.flow.done(msg, b);
      await flush();
      should(outcome.value).eql({});
    });

    it('is not complete while a node has sent it on and the next node has not received it yet', async () => {
      const [a, b] = [takesDone('a'), takesDone('b')];
      const { msg, outcome } = s.track((msg) => s.flow.send(msg, a));
      s.flow.receive(msg, a);
      // a sends to b and calls done() before b has received the msg (the runtime delivers later).
      s.flow.send(msg, b);
      s.flow.returned(msg, a);
      s.flow.done(msg, a);
      await flush();
      should(outcome.value).be.undefined();
      s.flow.through(msg, b);
      await flush();
      should(outcome.value).eql({});
    });

    it('is finished with a node whose handler takes no done() once the handler returned; one that takes done() is not', async () => {
      const [a, b] = [noDone('a'), takesDone('b')];
      const first = s.track((msg) => s.flow.send(msg, a));
      s.flow.receive(first.msg, a);
      await flush();
      should(first.outcome.value).be.undefined();
      s.flow.returned(first.msg, a);
      await flush();
      should(first.outcome.value).eql({});

      const second = s.track((msg) => s.flow.send(msg, b));
      s.flow.receive(second.msg, b);
      s.flow.returned(second.msg, b);
      await flush();
      should(second.outcome.value).be.undefined();
    });

    it('is complete when the node deleted its _msgid before calling done(), as split does', async () => {
      const a = takesDone('a');
      const { msg, outcome, settled } = s.track((msg) => s.flow.send(msg, a));
      s.flow.receive(msg, a);
      s.flow.returned(msg, a);
      delete (msg as NodeMessage)._msgid;
      s.flow.done(msg, a);
      await settled;
      should(outcome.value).eql({});
    });

    it('of a record a node absorbed into a msg it sent on before done() (join) finishes with that msg', async () => {
      const { track, flow } = s;
      const join = takesDone('b');
      const after = takesDone('c');
      const group = [track((msg) => flow.send(msg, join)), track((msg) => flow.send(msg, join))];
      for (const { msg } of group) {
        flow.receive(msg, join);
        flow.returned(msg, join);
      }
      // The joined msg carries the group's last _msgid; the join calls done() for the group after sending it.
      const [first, last] = group;
      flow.sendFrom(join, last.msg, after);
      flow.done(first.msg, join);
      flow.done(last.msg, join);
      await flush();
      should(first.outcome.value).be.undefined();
      should(last.outcome.value).be.undefined();
      flow.through(last.msg, after);
      await Promise.all(group.map(({ settled }) => settled));
      should(group.map(({ outcome }) => outcome.value)).eql([{}, {}]);
    });

    it('of a record absorbed into a msg that failed fails with it; a node forwarding each msg links none', async () => {
      const { track, flow } = s;
      const join = takesDone('b');
      const after = takesDone('c');
      const [first, last] = [track((msg) => flow.send(msg, join)), track((msg) => flow.send(msg, join))];
      for (const { msg } of [first, last]) flow.through(msg, join);
      // Without a send between, the join's done() finished both at once.
      should(await first.settled).eql({});
      should(await last.settled).eql({});
      const [third, fourth] = [track((msg) => flow.send(msg, join)), track((msg) => flow.send(msg, join))];
      for (const { msg } of [third, fourth]) {
        flow.receive(msg, join);
        flow.returned(msg, join);
      }
      flow.sendFrom(join, fourth.msg, after);
      flow.done(third.msg, join);
      flow.done(fourth.msg, join);
      flow.receive(fourth.msg, after);
      flow.done(fourth.msg, after, new Error('boom'));
      should(await third.settled).have.property('error');
      should(await fourth.settled).have.property('error');
    });

    it('fails with the first error a node reported, once every node is done', async () => {
      const [a, b] = [takesDone('a'), takesDone('b')];
      const { msg, outcome } = s.track((msg) => s.flow.send(msg, a, b));
      s.flow.receive(msg, a);
      s.flow.receive(msg, b);
      const first = new Error('first');
      s.flow.done(msg, a, first);
      await flush();
      should(outcome.value).be.undefined();
      s.flow.done(msg, b, new Error('second'));
      await flush();
      should(outcome.value).eql({ error: first });
    });

    it('fails when Node-RED cannot send it', async () => {
      const refused = new Error('cannot clone');
      const { outcome, settled } = s.track(() => {
        throw refused;
      });
      await settled;
      should(outcome.value).eql({ error: refused });
    });

    it('fails when the flow has not finished with it within its timeout, not before', async () => {
      const a = takesDone('a');
      const { msg, outcome } = s.track((msg) => s.flow.send(msg, a), 5000);
      s.flow.receive(msg, a);
      await fake.clock.tickAsync(4999);
      should(outcome.value).be.undefined();
      // The sweep runs every second: the msg fails at the first sweep past its deadline.
      await fake.clock.tickAsync(1000);
      should(outcome.value).have.property('error');
      should((outcome.value!.error as Error).message).equal(
        'the flow did not finish with the message in time',
      );
    });
  });

  describe('the timeout', () => {
    let s: ReturnType<typeof setup>;
    beforeEach(() => {
      s = setup();
      s.completion.acquire();
    });
    afterEach(() => s.completion.release());

    /** `count` msgs held by a node 'a' that takes done(), as a queue holds them, with the default timeout. */
    function queued(count: number) {
      const a = takesDone('a');
      return Array.from({ length: count }, () => {
        const tracked = s.track((msg) => s.flow.send(msg, a), 60000);
        s.flow.receive(tracked.msg, a);
        return { ...tracked, finish: () => s.flow.done(tracked.msg, a) };
      });
    }

    it('starts again whenever the flow finishes a msg sent before: a queue moving at 1 msg/s fails none of 100 msgs', async () => {
      // The defaults: max_in_flight 100 in a delay node limiting to 1 msg/s, the last waits 100 s.
      const msgs = queued(100);
      for (const msg of msgs) {
        await fake.clock.tickAsync(1000);
        should(msg.outcome.value).be.undefined();
        msg.finish();
      }
      await Promise.all(msgs.map((msg) => msg.settled));
      should(msgs.map((msg) => msg.outcome.value)).eql(msgs.map(() => ({})));
    });

    it('fails a stuck msg on time while later msgs finish, and the msgs behind it once they stop moving', async () => {
      const [stuck, ...later] = queued(5);
      await fake.clock.tickAsync(30000);
      for (const msg of later.slice(0, 2)) msg.finish();
      await fake.clock.tickAsync(30000);
      should(stuck.outcome.value).have.property('error');
      // The two that finished restarted the time of the two sent after them, as of the sweep after.
      await fake.clock.tickAsync(29000);
      should(later[2].outcome.value).be.undefined();
      await fake.clock.tickAsync(2000);
      should(later[2].outcome.value).have.property('error');
      should(later[3].outcome.value).have.property('error');
    });
  });

  describe('across a flow stop', () => {
    let s: ReturnType<typeof setup>;
    beforeEach(() => {
      s = setup();
      s.completion.acquire();
    });
    afterEach(() => s.completion.release());

    it('is dropped when sent on, after a stop, to a node that is gone; sent to one still there it goes on', async () => {
      const [a, b, c] = [takesDone('a'), takesDone('b'), takesDone('c')];
      const { msg, outcome } = s.track((msg) => s.flow.send(msg, a));
      // Before a stop, even a node the runtime does not know does not drop it.
      s.active.delete('b');
      s.flow.receive(msg, a);
      s.flow.sendFrom(a, msg, b);
      s.flow.receive(msg, b);
      s.flow.done(msg, b);
      await flush();
      should(outcome.value).be.undefined();
      s.stop();
      s.flow.sendFrom(a, msg, c);
      await flush();
      should(outcome.value).be.undefined();
      s.flow.sendFrom(a, msg, c, b);
      await flush();
      should(outcome.value).eql({ dropped: true });
    });

    it('is dropped when delivered, after a stop, to a node that was closed (no input handler left)', async () => {
      const closed: FakeNode = { id: 'a', _expectedDoneCount: 1 };
      const first = s.track((msg) => s.flow.send(msg, closed));
      // Not after a stop: the node simply has not got its handler, the msg goes on.
      s.flow.receive(first.msg, closed);
      await flush();
      should(first.outcome.value).be.undefined();

      const second = s.track((msg) => s.flow.send(msg, closed));
      s.stop();
      s.flow.receive(second.msg, closed);
      await flush();
      should(second.outcome.value).eql({ dropped: true });
    });

    it('is dropped, not failed, when its timeout passes after a stop', async () => {
      const a = takesDone('a');
      const { msg, outcome } = s.track((msg) => s.flow.send(msg, a), 2000);
      s.flow.receive(msg, a);
      s.stop();
      s.start();
      await fake.clock.tickAsync(3000);
      should(outcome.value).eql({ dropped: true });
    });
  });

  it('is one per runtime', () => {
    const RED = {
      hooks: new FakeHooks(),
      events: new EventEmitter(),
      nodes: { getNode: () => null },
    } as unknown as NodeAPI;
    const first = flowCompletionOf(RED);
    should(flowCompletionOf(RED)).equal(first);
    should(flowCompletionOf({ ...RED, hooks: new FakeHooks() } as unknown as NodeAPI)).not.equal(first);
  });
});
