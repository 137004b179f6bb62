import should from 'should';
import { DEAD_LETTER_HEADERS } from '../../src/consumer/dead-letter';
import type { KafkaTriggerMessage } from '../../src/nodes/types';
import { describeGroup, newTopic, produce, testKafka } from '../support/kafka';
import { functionNode, switchNode, TAB, type FlowNode } from '../support/flows';
import {
  deployTrigger,
  startNodeRed,
  stopNodeRed,
  testNodeType,
  type DeployTriggerOptions,
} from '../support/node-red';
import { waitFor } from '../support/wait';

interface DeadLetter {
  value: string;
  key: string;
  headers: Record<string, string>;
}

/** Reads every record of a topic from the beginning until `count` have arrived. */
async function readTopic(topic: string, count: number): Promise<DeadLetter[]> {
  const consumer = testKafka().consumer({ groupId: `${topic}-reader` });
  const records: DeadLetter[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
        records.push({ value: String(message.value), key: String(message.key), headers });
      },
    });
    await waitFor(() => records.length >= count, 30000, `${count} records on ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** A test node that takes `delayMs` per message and records how many it holds at once. */
function slowNodeType(delayMs: number, stats: { concurrent: number; peak: number }) {
  return testNodeType('slow-test', (msg, send, done) => {
    stats.concurrent += 1;
    stats.peak = Math.max(stats.peak, stats.concurrent);
    setTimeout(() => {
      stats.concurrent -= 1;
      send(msg);
      done();
    }, delayMs);
  });
}

/**
 * Creates a topic and its dead-letter topic (`<prefix>-dead`) and deploys a trigger on them that
 * delivers after the flow completes, wired to `first`, the first of the flow's other nodes.
 */
async function deployDeadLettering(
  prefix: string,
  props: Record<string, unknown>,
  first: FlowNode,
  options: DeployTriggerOptions = {},
): Promise<{ topic: string; deadLetterTopic: string; received: KafkaTriggerMessage[] }> {
  const topic = await newTopic(prefix);
  const deadLetterTopic = await newTopic(`${prefix}-dead`);
  const received = await deployTrigger(
    { topic, delivery: 'complete', ...props, dead_letter_topic: deadLetterTopic },
    { wires: [[first.id]], nodes: [first], ...options },
  );
  return { topic, deadLetterTopic, received };
}

describe('kafka-trigger delivery after the flow completes', function () {
  beforeEach(startNodeRed);
  afterEach(stopNodeRed);

  it('dead-letters records whose flow failed, commits the rest and keeps consuming', async () => {
    const { topic, deadLetterTopic, received } = await deployDeadLettering(
      'complete-dlq',
      { max_in_flight: 10 },
      functionNode(
        'check',
        'if (msg.payload.message.fail) { throw new Error("bad record " + msg.payload.message.n); } return msg;',
        [['out']],
      ),
    );
    const records = Array.from({ length: 10 }, (_, n) => ({
      key: `key-${n}`,
      value: JSON.stringify({ n, fail: n % 3 === 0 }),
      headers: { origin: 'test' },
    }));
    await produce(topic, records);

    const dead = await readTopic(deadLetterTopic, 4);
    should(dead.map((record) => (JSON.parse(record.value) as { n: number }).n).sort()).eql([0, 3, 6, 9]);
    for (const record of dead) {
      const n = (JSON.parse(record.value) as { n: number }).n;
      should(record.key).equal(`key-${n}`);
      should(record.headers).containEql({
        origin: 'test',
        [DEAD_LETTER_HEADERS.topic]: topic,
        [DEAD_LETTER_HEADERS.partition]: '0',
        [DEAD_LETTER_HEADERS.offset]: String(n),
      });
      should(record.headers[DEAD_LETTER_HEADERS.error]).match(new RegExp(`bad record ${n}`));
    }
    await waitFor(() => received.length === 6);
    await waitFor(async () => (await describeGroup('operion-triggers-trigger1', topic)).committed[0] === 10);

    await produce(topic, [{ value: '{"n":10,"fail":false}' }]);
    await waitFor(() => received.length === 7, 30000, 'consumption to go on');
  });

  it('counts messages a flow drops on purpose as done', async () => {
    const topic = await newTopic('complete-dropped');
    const keep = switchNode('keep', 'payload.message.keep', [{ t: 'true' }], [['out']]);
    const received = await deployTrigger(
      { topic, delivery: 'complete' },
      { wires: [['keep']], nodes: [keep] },
    );
    await produce(
      topic,
      [true, false, false, true, false].map((keep) => ({ value: JSON.stringify({ keep }) })),
    );
    await waitFor(async () => (await describeGroup('operion-triggers-trigger1', topic)).committed[0] === 5);
    should(received).have.length(2);
  });

  it('never has more than max in flight records in a slow flow, and commits them all', async () => {
    const topic = await newTopic('complete-capped', 3);
    const stats = { concurrent: 0, peak: 0 };
    await produce(
      topic,
      Array.from({ length: 600 }, (_, n) => ({ value: String(n), partition: n % 3 })),
    );
    const received = await deployTrigger(
      { topic, start_from: 'earliest', delivery: 'complete', max_in_flight: 25 },
      {
        wires: [['slow']],
        nodes: [{ id: 'slow', type: 'slow-test', z: TAB, wires: [['out']] }],
        testNodes: [slowNodeType(10, stats)],
        status: false,
      },
    );
    await waitFor(() => received.length === 600, 60000, 'all 600 records');
    const group = await waitFor(async () => {
      const view = await describeGroup('operion-triggers-trigger1', topic);
      return view.committed[0] + view.committed[1] + view.committed[2] === 600 ? view : undefined;
    });
    should(stats.peak).be.belowOrEqual(25);
    should(stats.peak).be.above(1);
    should(group!.committed).eql({ 0: 200, 1: 200, 2: 200 });
  });

  it('treats a record the flow never finishes as failed after the timeout', async () => {
    const { topic, deadLetterTopic } = await deployDeadLettering(
      'complete-stuck',
      { complete_timeout: 1500 },
      // Mentioning node.done makes the function node leave done() to the code, which never calls it.
      functionNode('stuck', 'if (msg.never) { node.done(); } return undefined;', [[]]),
      { out: false },
    );
    await produce(topic, [{ value: '"stuck"' }]);
    const [dead] = await readTopic(deadLetterTopic, 1);
    should(dead.headers[DEAD_LETTER_HEADERS.error]).match(/did not finish/);
    await waitFor(async () => (await describeGroup('operion-triggers-trigger1', topic)).committed[0] === 1);
  });
});
