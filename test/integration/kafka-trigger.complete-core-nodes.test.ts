// Core nodes that hold, queue, regroup or hand on messages, behind a trigger with complete delivery
// and its default max_in_flight and complete_timeout: every record reaches the sink, none is
// reported failed, and the group's offsets reach the end. Where a core node ends or moves the
// tracking of a record (a new _msgid, done() before sending), the test shows where.
import helper from 'node-red-node-test-helper';
import should from 'should';
import type { NodeMessage } from 'node-red';
import { describeGroup, newTopic, produce, testKafka } from '../support/kafka';
import { functionNode, join, TAB, type FlowNode } from '../support/flows';
import {
  collect,
  deployTrigger,
  loggedBy,
  startNodeRed,
  stopNodeRed,
  type NodeModule,
  testNodeType,
} from '../support/node-red';
import { waitFor } from '../support/wait';

/* eslint-disable @typescript-eslint/no-require-imports */
const coreNodes = [
  require('@node-red/nodes/core/function/89-delay.js'),
  require('@node-red/nodes/core/function/89-trigger.js'),
  require('@node-red/nodes/core/sequence/17-split.js'),
  require('@node-red/nodes/core/sequence/19-batch.js'),
  require('@node-red/nodes/core/common/60-link.js'),
] as NodeModule[];
/* eslint-enable @typescript-eslint/no-require-imports */

const GROUP = 'operion-triggers-trigger1';

/** A test node that holds every msg while closed and sends each on (then done()) once opened. */
function gateNodeType(gate: Gate): NodeModule {
  return testNodeType('gate-test', (msg, send, done) => {
    gate.held.push(() => {
      send(msg);
      done();
    });
    if (gate.open) gate.release();
  });
}

class Gate {
  open = false;
  readonly held: (() => void)[] = [];

  release(): void {
    this.open = true;
    for (const pass of this.held.splice(0)) pass();
  }
}

function gateNode(id: string, wires: string[]): FlowNode {
  return { id, type: 'gate-test', z: TAB, wires: [wires] };
}

interface Case {
  prefix: string;
  /** The nodes between the trigger and the sink 'out'. */
  nodes: FlowNode[];
  /** The trigger's wires; default to the first of `nodes`. */
  wires?: string[][];
  values: unknown[];
  props?: Record<string, unknown>;
  gate?: Gate;
  /** A helper node of `nodes` to collect from before the records are produced. */
  watch?: string;
}

/**
 * Deploys a trigger (complete delivery, dead-letter topic) wired to the case's nodes, their last
 * one wired to the helper node 'out', then produces the records.
 */
async function deployCase(c: Case) {
  const topic = await newTopic(c.prefix);
  const deadLetterTopic = await newTopic(`${c.prefix}-dead`);
  const received = await deployTrigger(
    {
      topic,
      delivery: 'complete',
      dead_letter_topic: deadLetterTopic,
      ...c.props,
    },
    {
      wires: c.wires ?? [[c.nodes[0].id]],
      // A node without a position is a config node to the runtime: a subflow instance would not start.
      nodes: c.nodes.map((node) => ({ x: 100, y: 100, ...node })),
      testNodes: [...coreNodes, gateNodeType(c.gate ?? new Gate())],
    },
  );
  const watched = c.watch === undefined ? [] : collect(c.watch);
  await produce(
    topic,
    c.values.map((value) => ({ value: JSON.stringify(value) })),
  );
  return { topic, deadLetterTopic, received, watched };
}

/** Polls the broker until the group has committed `offset` on partition 0. */
async function committedReaches(topic: string, offset: number): Promise<void> {
  await waitFor(
    async () => (await describeGroup(GROUP, topic)).committed[0] === offset,
    90000,
    `the group to commit offset ${offset}`,
  );
}

/** No record was reported failed: no failure logged, nothing on the dead-letter topic. */
async function noRecordFailed(deadLetterTopic: string): Promise<void> {
  should(loggedBy('trigger1', 'warn').filter((text) => text.includes('errors.record-'))).eql([]);
  should(loggedBy('trigger1', 'error')).eql([]);
  should(await deadLetters(deadLetterTopic)).equal(0);
}

/** How many records the dead-letter topic holds. */
async function deadLetters(deadLetterTopic: string): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const [end] = await admin.fetchTopicOffsets(deadLetterTopic);
    return Number(end.high);
  } finally {
    await admin.disconnect();
  }
}

const range = (count: number) => Array.from({ length: count }, (_, n) => n);
const messagesOf = (received: NodeMessage[]) =>
  received.map((msg) => (msg.payload as { message: unknown }).message);

function rateLimit(id: string, wires: string[]): FlowNode {
  return {
    id,
    type: 'delay',
    z: TAB,
    pauseType: 'rate',
    timeout: '5',
    timeoutUnits: 'seconds',
    rate: '1',
    nbRateUnits: '1',
    rateUnits: 'second',
    randomFirst: '1',
    randomLast: '5',
    randomUnits: 'seconds',
    drop: false,
    allowrate: false,
    outputs: 1,
    wires: [wires],
  };
}

describe('kafka-trigger delivery after the flow completes, through core nodes', function () {
  beforeEach(startNodeRed);
  afterEach(stopNodeRed);

  it('delay node limiting the rate to 1 msg/s: every record in order, none failed', async () => {
    const { topic, deadLetterTopic, received } = await deployCase({
      prefix: 'core-delay',
      nodes: [rateLimit('limiter', ['out'])],
      values: range(5),
    });
    await waitFor(() => received.length === 5, 30000, 'every record through the delay');
    await committedReaches(topic, 5);
    should(messagesOf(received)).eql(range(5));
    await noRecordFailed(deadLetterTopic);
  });

  it('delay node queueing records for longer than complete_timeout: none failed while the queue moves', async () => {
    // The default clash scaled down: 100 records in flight at 1 msg/s wait up to 100 s in the
    // queue, past the 60 s timeout. Here 8 records wait up to 8 s behind a 3 s timeout.
    const { topic, deadLetterTopic, received } = await deployCase({
      prefix: 'core-delay-queue',
      nodes: [rateLimit('limiter', ['out'])],
      values: range(8),
      props: { complete_timeout: 3000 },
    });
    await waitFor(() => received.length === 8, 30000, 'every record through the delay');
    await committedReaches(topic, 8);
    should(messagesOf(received)).eql(range(8));
    await noRecordFailed(deadLetterTopic);
  });

  it('join node counting 5 msgs: done() waits for the group, the joined msg goes on as the last record', async () => {
    const gate = new Gate();
    const {
      topic,
      deadLetterTopic,
      received,
      watched: sent,
    } = await deployCase({
      prefix: 'core-join',
      nodes: [
        join('joiner', { count: '5' }, ['gate']),
        gateNode('gate', ['out']),
        { id: 'ids', type: 'helper', z: TAB },
      ],
      wires: [['joiner', 'ids']],
      values: range(10),
      gate,
      watch: 'ids',
    });
    // The join calls the dones of its group only once it has sent the joined msg; that msg has the
    // _msgid of the group's last record, and the group's records finish when it does.
    await waitFor(() => gate.held.length === 2, 30000, 'both joined msgs at the gate');
    gate.release();
    await waitFor(() => received.length === 2, 30000, 'both joined msgs');
    await committedReaches(topic, 10);
    should(received.map((msg) => msg.payload)).eql([
      range(5).map((n) => ({ ...(sent[n].payload as object) })),
      range(5).map((n) => ({ ...(sent[n + 5].payload as object) })),
    ]);
    should(received.map((msg) => msg._msgid)).eql([sent[4]._msgid, sent[9]._msgid]);
    await noRecordFailed(deadLetterTopic);
  });

  it('join node: closing while the joined msgs are held commits none of their records, so none is lost', async () => {
    const gate = new Gate();
    const { topic } = await deployCase({
      prefix: 'core-join-close',
      nodes: [join('joiner', { count: '5' }, ['gate']), gateNode('gate', ['out'])],
      values: range(10),
      gate,
    });
    await waitFor(() => gate.held.length === 2, 30000, 'both joined msgs at the gate');
    // A close commits what is finished before it leaves the group. The records of a group live on
    // in the joined msg: had the earlier four been committed, a restart would never see them again.
    await helper.unload();
    should((await describeGroup(GROUP, topic)).committed[0] ?? 0).equal(0);
  });

  it('join node counting more msgs than max_in_flight: the group waits for records never fetched, they fail', async () => {
    // Why max_in_flight must be at least a join's (or batch's) group: fetching waits for room that
    // only the complete group frees. After complete_timeout the held records fail, which makes room.
    const { topic, deadLetterTopic, received } = await deployCase({
      prefix: 'core-join-too-big',
      nodes: [join('joiner', { count: '5' }, ['out'])],
      values: range(5),
      props: { max_in_flight: 4, complete_timeout: 2000 },
    });
    await waitFor(() => received.length === 1, 30000, 'the joined msg');
    await committedReaches(topic, 5);
    should(received[0].payload).have.length(5);
    const failures = loggedBy('trigger1', 'warn').filter((text) => text.includes('errors.record-'));
    should(failures).eql(range(4).map(() => 'kafka-trigger.errors.record-dead-lettered'));
    should(await deadLetters(deadLetterTopic)).equal(4);
  });

  it('split then join in automatic mode: the parts have new _msgids, a record is finished once split sent them', async () => {
    const gate = new Gate();
    const { topic, deadLetterTopic, received } = await deployCase({
      prefix: 'core-split-join',
      nodes: [
        {
          id: 'splitter',
          type: 'split',
          z: TAB,
          splt: '\\n',
          spltType: 'str',
          arraySplt: 1,
          arraySpltType: 'len',
          stream: false,
          addname: '',
          property: 'payload.message',
          wires: [['joiner']],
        },
        join('joiner', { mode: 'auto', accumulate: 'false' }, ['gate']),
        gateNode('gate', ['out']),
      ],
      values: range(6).map((n) => [n, n + 1, n + 2]),
      gate,
    });
    // Split deletes the _msgid: the parts and the joined msg are new msgs the trigger cannot follow.
    await committedReaches(topic, 6);
    await waitFor(() => gate.held.length === 6, 30000, 'the six joined msgs at the gate');
    gate.release();
    await waitFor(() => received.length === 6, 30000, 'the six joined msgs');
    should(messagesOf(received)).eql(range(6).map((n) => [n, n + 1, n + 2]));
    await noRecordFailed(deadLetterTopic);
  });

  it('batch node counting 5 msgs: every record in its batch, none failed', async () => {
    const { topic, deadLetterTopic, received } = await deployCase({
      prefix: 'core-batch',
      nodes: [
        {
          id: 'batcher',
          type: 'batch',
          z: TAB,
          mode: 'count',
          count: 5,
          overlap: 0,
          interval: 10,
          allowEmptySequence: false,
          topics: [],
          wires: [['out']],
        },
      ],
      values: range(10),
    });
    await waitFor(() => received.length === 10, 30000, 'every record through the batch');
    await committedReaches(topic, 10);
    should(messagesOf(received)).eql(range(10));
    should(received.map((msg) => (msg as { parts?: { index: number } }).parts?.index)).eql([
      0, 1, 2, 3, 4, 0, 1, 2, 3, 4,
    ]);
    await noRecordFailed(deadLetterTopic);
  });

  it('trigger node sending, then a second msg after a wait: it calls done() before it sends anything', async () => {
    const gate = new Gate();
    const { topic, deadLetterTopic, received } = await deployCase({
      prefix: 'core-trigger',
      nodes: [
        {
          id: 'resender',
          type: 'trigger',
          z: TAB,
          op1: '',
          op2: 'after',
          op1type: 'pay',
          op2type: 'str',
          duration: '200',
          extend: false,
          overrideDelay: false,
          units: 'ms',
          reset: '',
          // One wait per record, not one for all of them.
          bytopic: 'topic',
          topic: 'payload.offset',
          outputs: 1,
          wires: [['gate']],
        },
        gateNode('gate', ['out']),
      ],
      values: range(4),
      gate,
    });
    // Finished for the trigger while both its msgs are still held: the tracking ends at this node.
    await committedReaches(topic, 4);
    await waitFor(() => gate.held.length === 8, 30000, 'the first and second msg of each record');
    gate.release();
    await waitFor(() => received.length === 8, 30000, 'both msgs of every record');
    const firsts = received.filter((msg) => (msg.payload as unknown) !== 'after');
    should(messagesOf(firsts)).eql(range(4));
    await noRecordFailed(deadLetterTopic);
  });

  it('link call to a link in, through a function, back from a return link out', async () => {
    const { topic, deadLetterTopic, received } = await deployCase({
      prefix: 'core-link-call',
      nodes: [
        {
          id: 'call',
          type: 'link call',
          z: TAB,
          links: ['in'],
          linkType: 'static',
          timeout: '30',
          wires: [['out']],
        },
        { id: 'in', type: 'link in', z: TAB, links: [], wires: [['work']] },
        functionNode('work', 'msg.worked = true; return msg;', [['back']]),
        { id: 'back', type: 'link out', z: TAB, mode: 'return', links: [], wires: [] },
      ],
      values: range(5),
    });
    await waitFor(() => received.length === 5, 30000, 'every record back from the link call');
    await committedReaches(topic, 5);
    should(messagesOf(received)).eql(range(5));
    should(received.every((msg) => (msg as { worked?: boolean }).worked)).be.true();
    await noRecordFailed(deadLetterTopic);
  });

  it('subflow holding a function node', async () => {
    const { topic, deadLetterTopic, received } = await deployCase({
      prefix: 'core-subflow',
      nodes: [
        {
          id: 'sf',
          type: 'subflow',
          name: 'double',
          info: '',
          in: [{ x: 0, y: 0, wires: [{ id: 'sf-double' }] }],
          out: [{ x: 0, y: 0, wires: [{ id: 'sf-double', port: 0 }] }],
        },
        {
          id: 'sf-double',
          type: 'function',
          z: 'sf',
          name: '',
          func: 'msg.doubled = msg.payload.message * 2; return msg;',
          outputs: 1,
          wires: [[]],
        },
        { id: 'double', type: 'subflow:sf', z: TAB, wires: [['out']] },
      ],
      wires: [['double']],
      values: range(5),
    });
    await waitFor(() => received.length === 5, 30000, 'every record out of the subflow');
    await committedReaches(topic, 5);
    should(received.map((msg) => (msg as { doubled?: number }).doubled)).eql(range(5).map((n) => n * 2));
    await noRecordFailed(deadLetterTopic);
  });

  it('function node sending later from a timer, then calling done()', async () => {
    const { topic, deadLetterTopic, received } = await deployCase({
      prefix: 'core-async-function',
      nodes: [
        functionNode('later', 'setTimeout(() => { node.send(msg); node.done(); }, 300); return null;', [
          ['out'],
        ]),
      ],
      values: range(5),
    });
    await waitFor(() => received.length === 5, 30000, 'every record sent later');
    await committedReaches(topic, 5);
    should(messagesOf(received)).eql(range(5));
    await noRecordFailed(deadLetterTopic);
  });
});
