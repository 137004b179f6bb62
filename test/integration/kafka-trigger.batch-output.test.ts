// Batch output against the real broker, inside Node-RED: what each msg holds, what is committed,
// and that a failed batch is dead-lettered record by record.
import should from 'should';
import type { MetricsSnapshot } from '../../src/consumer/consumer-metrics';
import type { KafkaTriggerBatchMessage } from '../../src/nodes/types';
import { describeGroup, newTopic, produce, readRecords } from '../support/kafka';
import { functionNode, helperNode } from '../support/flows';
import {
  collect,
  deployTrigger,
  getNode,
  helper,
  startNodeRed,
  stopNodeRed,
  waitForStatus,
} from '../support/node-red';
import { waitFor } from '../support/wait';

const GROUP = 'operion-triggers-trigger1';

/** Every msg that reaches the helper node 'out', with when it arrived. */
function arrivals(received: unknown[]): { msg: KafkaTriggerBatchMessage; at: number }[] {
  const timed: { msg: KafkaTriggerBatchMessage; at: number }[] = [];
  const push = received.push.bind(received);
  received.push = (...items: unknown[]) => {
    for (const msg of items) timed.push({ msg: msg as KafkaTriggerBatchMessage, at: Date.now() });
    return push(...items);
  };
  return timed;
}

async function committedTotal(topic: string): Promise<number> {
  const { committed } = await describeGroup(GROUP, topic);
  return Object.values(committed).reduce((sum, offset) => sum + Math.max(offset, 0), 0);
}

describe('kafka-trigger batch output', function () {
  beforeEach(startNodeRed);
  afterEach(stopNodeRed);

  it('sends each partition in offset order as arrays of at most the batch size, every record once, and commits them', async () => {
    const topic = await newTopic('batch-handoff', 3);
    const total = 2400;
    await produce(
      topic,
      Array.from({ length: total }, (_, n) => ({
        key: `k${n}`,
        value: JSON.stringify({ n }),
        partition: n % 3,
      })),
    );
    const received = (await deployTrigger(
      {
        topic,
        start_from: 'earliest',
        output: 'batch',
        max_batch_size: 250,
        metrics_interval: 1,
        outputs: 2,
      },
      { wires: [['out'], ['metrics']], nodes: [helperNode('metrics')], status: false },
    )) as unknown as KafkaTriggerBatchMessage[];
    const metrics = collect<{ payload: MetricsSnapshot }>('metrics');
    const count = () => received.reduce((sum, msg) => sum + msg.payload.length, 0);
    await waitFor(() => count() >= total, 60000, `all ${total} records`);

    const seen = new Map<number, number[]>();
    for (const msg of received) {
      should(msg.payload.length).be.within(1, 250);
      should(msg.topic).equal(topic);
      should(msg.kafka.groupId).equal(GROUP);
      should(msg.kafka.recordTimestamps).have.length(msg.payload.length);
      const offsets = seen.get(msg.kafka.partition) ?? [];
      for (const data of msg.payload) {
        should(data).containEql({
          topic,
          partition: msg.kafka.partition,
          key: `k${(data.message as { n: number }).n}`,
        });
        offsets.push(data.offset);
      }
      seen.set(msg.kafka.partition, offsets);
    }
    for (const partition of [0, 1, 2]) {
      should(seen.get(partition)).eql(Array.from({ length: total / 3 }, (_, offset) => offset));
    }
    should(count()).equal(total);
    await waitFor(async () => (await committedTotal(topic)) === total, 30000, 'every offset committed');
    await waitFor(
      () => metrics.some((msg) => msg.payload.records === total),
      10000,
      'metrics counting records',
    );
  });

  it('dead-letters each record of a failed batch after the flow completes, and commits past them', async () => {
    const topic = await newTopic('batch-complete');
    const deadLetterTopic = await newTopic('batch-complete-dead');
    const check = functionNode(
      'check',
      'if (msg.payload.some((data) => data.message.fail)) { throw new Error("bad batch"); } return msg;',
      [['out']],
    );
    const received = (await deployTrigger(
      { topic, output: 'batch', max_batch_size: 3, delivery: 'complete', dead_letter_topic: deadLetterTopic },
      { wires: [['check']], nodes: [check] },
    )) as unknown as KafkaTriggerBatchMessage[];
    // One produce request: one fetch, cut into batches [0 1 2] [3 4 5] [6 7].
    await produce(
      topic,
      Array.from({ length: 8 }, (_, n) => ({ value: JSON.stringify({ n, fail: n === 4 }) })),
    );
    const dead = await readRecords(deadLetterTopic, 3);
    should(dead.map((record) => (JSON.parse(String(record.value)) as { n: number }).n)).eql([3, 4, 5]);
    await waitFor(
      async () => (await describeGroup(GROUP, topic)).committed[0] === 8,
      30000,
      'all 8 committed',
    );
    should(received.flatMap((msg) => msg.payload.map((data) => data.offset))).eql([0, 1, 2, 6, 7]);
  });

  it('lets a partial batch wait for more records up to the batch wait, and sends full ones at once', async () => {
    const topic = await newTopic('batch-wait');
    const received = await deployTrigger({ topic, output: 'batch', max_batch_size: 5, max_batch_wait: 2500 });
    const timed = arrivals(received);
    await produce(
      topic,
      Array.from({ length: 7 }, (_, n) => ({ value: String(n) })),
    );
    await waitFor(() => timed.length === 2, 30000, 'a full and a partial batch');
    should(timed.map(({ msg }) => msg.payload.map((data) => data.offset))).eql([
      [0, 1, 2, 3, 4],
      [5, 6],
    ]);
    // A lower bound only: the partial batch cannot have left before its wait was over.
    should(timed[1].at - timed[0].at).be.aboveOrEqual(2000);
    await waitFor(
      async () => (await describeGroup(GROUP, topic)).committed[0] === 7,
      30000,
      'all 7 committed',
    );
  });

  it('leaves records held for a batch uncommitted when the flow stops, so a new deploy gets them', async () => {
    const topic = await newTopic('batch-held-redeploy');
    // From the earliest: a group with no committed offset that starts from the newest would skip them.
    await deployTrigger({
      topic,
      start_from: 'earliest',
      output: 'batch',
      max_batch_size: 100,
      max_batch_wait: 600000,
    });
    await produce(topic, [{ value: '"a"' }, { value: '"b"' }]);
    await helper.unload();
    should((await describeGroup(GROUP, topic)).committed[0] ?? -1).be.belowOrEqual(0);
    const received = (await deployTrigger({
      topic,
      start_from: 'earliest',
      output: 'batch',
      max_batch_size: 100,
    })) as unknown as KafkaTriggerBatchMessage[];
    await waitFor(() => received.length > 0, 30000, 'the held records after the new deploy');
    should(received[0].payload.map((data) => data.message)).eql(['a', 'b']);
  });

  it('loses and repeats nothing a batch wait holds when the trigger is paused and resumed', async () => {
    const topic = await newTopic('batch-paused');
    const received = (await deployTrigger({
      topic,
      output: 'batch',
      max_batch_size: 100,
      max_batch_wait: 1500,
      control: true,
      inputs: 1,
    })) as unknown as KafkaTriggerBatchMessage[];
    const offsets = () => received.flatMap((msg) => msg.payload.map((data) => data.offset));
    await produce(topic, [{ value: '1' }, { value: '2' }, { value: '3' }]);
    getNode('trigger1').receive({ action: 'pause' });
    await waitForStatus('trigger1', 'paused');
    await produce(topic, [{ value: '4' }, { value: '5' }, { value: '6' }]);
    getNode('trigger1').receive({ action: 'resume' });
    await waitFor(() => offsets().length >= 6, 30000, 'all six records after the resume');
    await waitFor(
      async () => (await describeGroup(GROUP, topic)).committed[0] === 6,
      30000,
      'all 6 committed',
    );
    should(offsets()).eql([0, 1, 2, 3, 4, 5]);
  });
});
