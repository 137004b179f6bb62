import should from 'should';
import { DEAD_LETTER_HEADERS } from '../../src/consumer/dead-letter';
import type { MetricsSnapshot } from '../../src/consumer/consumer-metrics';
import { describeGroup, newTopic, produce, readRecords, testKafka, uniqueName } from '../support/kafka';
import { functionNode, helperNode, join, produceNode } from '../support/flows';
import {
  collect,
  deployTrigger,
  rawStatusCalls,
  startNodeRed,
  stopNodeRed,
  type NodeModule,
} from '../support/node-red';
import { waitFor } from '../support/wait';

const PARTITIONS = 3;

/** Records {"seq": n} for n below `count`, record n on partition n % 3. */
function sequence(count: number): { value: string; partition: number }[] {
  return Array.from({ length: count }, (_, seq) => ({
    value: JSON.stringify({ seq }),
    partition: seq % PARTITIONS,
  }));
}

/** The seq of each record read back (values are {"seq": n, ...}), sorted. */
function seqsOf(records: { value: Buffer | null }[]): number[] {
  return records
    .map((record) => (JSON.parse(String(record.value)) as { seq: number }).seq)
    .sort((a, b) => a - b);
}

function range(count: number, keep: (seq: number) => boolean): number[] {
  return Array.from({ length: count }, (_, seq) => seq).filter(keep);
}

/** Waits until the group has committed every partition of `topic` to its end. */
async function committedToEnd(groupId: string, topic: string, count: number): Promise<void> {
  await committedToEndOf(groupId, topic, Array<number>(PARTITIONS).fill(count / PARTITIONS));
}

/** Waits until the group has committed each partition of `topic` to `ends[partition]`. */
async function committedToEndOf(groupId: string, topic: string, ends: number[]): Promise<void> {
  await waitFor(
    async () => {
      const { committed } = await describeGroup(groupId, topic);
      return ends.every((end, partition) => committed[partition] === end);
    },
    30000,
    `group ${groupId} committed ${topic} to its end`,
  );
}

describe('kafka-trigger exactly-once delivery', function () {
  beforeEach(startNodeRed);
  afterEach(stopNodeRed);

  it('writes what kafka-produce nodes make of each record once, in the transaction that commits it', async () => {
    const source = await newTopic('eos-a', PARTITIONS);
    const b = await newTopic('eos-b', PARTITIONS);
    const c = await newTopic('eos-c', PARTITIONS);
    const group = uniqueName('eos');
    const count = 900;
    // Drops seq % 10 == 3; seq % 5 == 0 goes to both B and C, the rest to B only.
    const fan = functionNode(
      'fan',
      `const seq = msg.payload.message.seq;
       if (seq % 10 === 3) return null;
       const out = { payload: { seq } };
       return [out, seq % 5 === 0 ? { payload: { seq } } : null];`,
      [['to-b'], ['to-c']],
    );
    await deployTrigger(
      {
        topic: source,
        consumer_group: group,
        start_from: 'earliest',
        delivery: 'exactly-once',
        metrics_interval: 1,
      },
      {
        wires: [['fan'], ['metrics']],
        out: false,
        nodes: [
          fan,
          produceNode('to-b', { broker: 'broker1', topic: b }),
          produceNode('to-c', { broker: 'broker1', topic: c }),
          helperNode('metrics'),
        ],
      },
    );
    const metrics = collect<{ payload: MetricsSnapshot }>('metrics');
    await produce(source, sequence(count));
    const expectedB = range(count, (seq) => seq % 10 !== 3);
    const expectedC = range(count, (seq) => seq % 5 === 0);
    // kafkajs consumers read committed by default: only what committed transactions wrote.
    should(seqsOf(await readRecords(b, expectedB.length))).eql(expectedB);
    should(seqsOf(await readRecords(c, expectedC.length))).eql(expectedC);
    await committedToEnd(group, source, count);
    await waitFor(
      () => (metrics.at(-1)?.payload.transactions?.committed ?? 0) > 0,
      10000,
      'transactions in the metrics',
    );
    const last = metrics.at(-1)!.payload;
    should(last.delivery).equal('exactly-once');
    should(last.transactions!.aborted).equal(0);
    should(rawStatusCalls('trigger1').at(-1)?.text).match(/ · .*transactions/);
  });

  it('dead-letters a failed record in the transaction and commits its offset', async () => {
    const source = await newTopic('eos-fail-a', PARTITIONS);
    const b = await newTopic('eos-fail-b', PARTITIONS);
    const dead = await newTopic('eos-fail-dead');
    const group = uniqueName('eos-fail');
    const count = 300;
    const check = functionNode(
      'check',
      `if (msg.payload.message.seq % 7 === 0) throw new Error('seq ' + msg.payload.message.seq + ' refused');
       return { payload: msg.payload.message };`,
      [['to-b']],
    );
    await deployTrigger(
      {
        topic: source,
        consumer_group: group,
        start_from: 'earliest',
        delivery: 'exactly-once',
        dead_letter_topic: dead,
      },
      {
        wires: [['check']],
        out: false,
        nodes: [check, produceNode('to-b', { broker: 'broker1', topic: b })],
      },
    );
    await produce(source, sequence(count));
    const failed = range(count, (seq) => seq % 7 === 0);
    const passed = range(count, (seq) => seq % 7 !== 0);
    should(seqsOf(await readRecords(b, passed.length))).eql(passed);
    const letters = await readRecords(dead, failed.length);
    should(seqsOf(letters)).eql(failed);
    should(String(letters[0].headers[DEAD_LETTER_HEADERS.error])).match(/refused/);
    await committedToEnd(group, source, count);
  });

  it('aborts a transaction whose write was refused, dead-letters that record and writes every other once', async () => {
    const source = await newTopic('eos-large-a', PARTITIONS);
    const dead = await newTopic('eos-large-dead');
    // B takes records of at most 16 KiB; seq 100's output is 40 KB.
    const b = uniqueName('eos-large-b');
    const admin = testKafka().admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic: b,
          numPartitions: PARTITIONS,
          configEntries: [{ name: 'max.message.bytes', value: '16384' }],
        },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();
    const group = uniqueName('eos-large');
    const count = 300;
    const grow = functionNode(
      'grow',
      `const seq = msg.payload.message.seq;
       return { payload: { seq, filler: seq === 100 ? 'x'.repeat(40000) : '' } };`,
      [['to-b']],
    );
    await deployTrigger(
      {
        topic: source,
        consumer_group: group,
        start_from: 'earliest',
        delivery: 'exactly-once',
        dead_letter_topic: dead,
        metrics_interval: 1,
      },
      {
        wires: [['grow'], ['metrics']],
        out: false,
        nodes: [grow, produceNode('to-b', { broker: 'broker1', topic: b }), helperNode('metrics')],
      },
    );
    const metrics = collect<{ payload: MetricsSnapshot }>('metrics');
    await produce(source, sequence(count));
    const written = range(count, (seq) => seq !== 100);
    await committedToEnd(group, source, count);
    should(seqsOf(await readRecords(b, written.length))).eql(written);
    const [letter] = await readRecords(dead, 1);
    should(seqsOf([letter])).eql([100]);
    should(String(letter.headers[DEAD_LETTER_HEADERS.error])).match(/larger than the max message size/);
    await waitFor(
      () => (metrics.at(-1)?.payload.transactions?.aborted ?? 0) > 0,
      10000,
      'an abort in the metrics',
    );
  });

  it('writes what a batch output msg fans out into records once, in its partition transaction', async () => {
    const source = await newTopic('eos-batch-a', PARTITIONS);
    const b = await newTopic('eos-batch-b', PARTITIONS);
    const group = uniqueName('eos-batch');
    const count = 600;
    // One msg per record of the batch, sent by node.send: the function node gives them the batch's _msgid.
    const split = functionNode(
      'split',
      `for (const record of msg.payload) node.send({ payload: record.message });
       return null;`,
      [['to-b']],
    );
    await deployTrigger(
      {
        topic: source,
        consumer_group: group,
        start_from: 'earliest',
        delivery: 'exactly-once',
        output: 'batch',
        max_batch_size: 50,
      },
      {
        wires: [['split']],
        out: false,
        nodes: [split, produceNode('to-b', { broker: 'broker1', topic: b })],
      },
    );
    await produce(source, sequence(count));
    await committedToEnd(group, source, count);
    should(seqsOf(await readRecords(b, count))).eql(range(count, () => true));
  });

  it('writes each record once through rebalances that take partitions away and give them back', async () => {
    const source = await newTopic('eos-rebalance-a', PARTITIONS);
    const b = await newTopic('eos-rebalance-b', PARTITIONS);
    const group = uniqueName('eos-rebalance');
    const count = 3000;
    // 10 ms per record, 5 at a time: records are in the flow whenever the group rebalances.
    const slow = functionNode(
      'slow',
      `setTimeout(() => { node.send({ payload: msg.payload.message }); node.done(); }, 10);
       return null;`,
      [['to-b']],
    );
    await produce(source, sequence(count));
    await deployTrigger(
      {
        topic: source,
        consumer_group: group,
        start_from: 'earliest',
        delivery: 'exactly-once',
        max_in_flight: 5,
        metrics_interval: 1,
      },
      {
        wires: [['slow'], ['metrics']],
        out: false,
        nodes: [slow, produceNode('to-b', { broker: 'broker1', topic: b }), helperNode('metrics')],
      },
    );
    const metrics = collect<{ payload: MetricsSnapshot }>('metrics');
    // A member that joins the group, takes partitions, reads nothing and commits nothing, then leaves.
    const squatter = testKafka().consumer({ groupId: group, sessionTimeout: 10000, heartbeatInterval: 1000 });
    await squatter.connect();
    await squatter.subscribe({ topic: source });
    await squatter.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    await waitFor(
      () => (metrics.at(-1)?.payload.rebalances ?? 0) >= 1,
      30000,
      'a rebalance with the squatter',
    );
    should(metrics.at(-1)!.payload.records).be.below(count);
    await squatter.disconnect();
    await committedToEnd(group, source, count);
    should(seqsOf(await readRecords(b, count))).eql(range(count, () => true));
    should(metrics.at(-1)!.payload.rebalances).be.aboveOrEqual(2);
  });

  it('a join by count holds up its partition’s commit until complete_timeout fails its records; a join by time does not', async () => {
    /* eslint-disable-next-line @typescript-eslint/no-require-imports */
    const sequenceNodes = require('@node-red/nodes/core/sequence/17-split.js') as NodeModule;
    for (const [mode, joined] of [
      ['count', join('grouper', { count: '5' }, ['joined'])],
      ['time', join('grouper', { timeout: '0.2' }, ['joined'])],
    ] as const) {
      const source = await newTopic(`eos-join-${mode}`);
      const b = await newTopic(`eos-join-${mode}-b`);
      const dead = await newTopic(`eos-join-${mode}-dead`);
      const group = uniqueName(`eos-join-${mode}`);
      const count = 3;
      await deployTrigger(
        {
          topic: source,
          consumer_group: group,
          start_from: 'earliest',
          delivery: 'exactly-once',
          dead_letter_topic: dead,
          complete_timeout: 3000,
        },
        {
          wires: [['seq']],
          out: false,
          testNodes: [sequenceNodes],
          nodes: [
            functionNode('seq', 'return { payload: msg.payload.message.seq };', [['grouper']]),
            joined,
            functionNode('joined', 'return { payload: { seqs: msg.payload } };', [['to-b']]),
            produceNode('to-b', { broker: 'broker1', topic: b }),
          ],
        },
      );
      await produce(
        source,
        Array.from({ length: count }, (_, seq) => ({ value: JSON.stringify({ seq }) })),
      );
      await committedToEndOf(group, source, [count]);
      if (mode === 'count') {
        // The group of 5 never fills: the 3 records fail after complete_timeout and are dead-lettered.
        should(seqsOf(await readRecords(dead, count))).eql([0, 1, 2]);
      } else {
        const [output] = await readRecords(b, 1);
        should(JSON.parse(String(output.value))).eql({ seqs: [0, 1, 2] });
      }
      await stopNodeRed();
      await startNodeRed();
    }
  });

  it('leaves out a transaction that began before another and was aborted after it (kafkajs read past it)', async () => {
    const source = await newTopic('eos-interleaved');
    const early = testKafka().producer({ transactionalId: uniqueName('eos-early'), maxInFlightRequests: 1 });
    const late = testKafka().producer({ transactionalId: uniqueName('eos-late'), maxInFlightRequests: 1 });
    const plain = testKafka().producer();
    await Promise.all([early.connect(), late.connect(), plain.connect()]);
    try {
      const first = await early.transaction();
      await first.send({ topic: source, messages: [{ value: JSON.stringify({ seq: 1 }) }] });
      const second = await late.transaction();
      await second.send({ topic: source, messages: [{ value: JSON.stringify({ seq: 2 }) }] });
      // The broker lists aborted transactions in the order they were aborted: the later one first.
      await second.abort();
      await first.send({ topic: source, messages: [{ value: JSON.stringify({ seq: 3 }) }] });
      await first.abort();
      await plain.send({ topic: source, messages: [{ value: JSON.stringify({ seq: 4 }) }] });
    } finally {
      await Promise.all([early.disconnect(), late.disconnect(), plain.disconnect()]);
    }
    const received = await deployTrigger({
      topic: source,
      consumer_group: uniqueName('interleaved'),
      start_from: 'earliest',
    });
    await waitFor(
      () => received.some((msg) => (msg.payload.message as { seq: number }).seq === 4),
      20000,
      'seq 4',
    );
    should(received.map((msg) => (msg.payload.message as { seq: number }).seq)).eql([4]);
  });

  it('reads only committed records with read_committed, and aborted ones too with read_uncommitted', async () => {
    const source = await newTopic('eos-isolation');
    const producer = testKafka().producer({
      transactionalId: uniqueName('eos-writer'),
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      const aborted = await producer.transaction();
      await aborted.send({ topic: source, messages: [{ value: JSON.stringify({ seq: 1 }) }] });
      await aborted.abort();
      const committed = await producer.transaction();
      await committed.send({ topic: source, messages: [{ value: JSON.stringify({ seq: 2 }) }] });
      await committed.commit();
    } finally {
      await producer.disconnect();
    }
    for (const [isolation, expected] of [
      ['read_committed', [2]],
      ['read_uncommitted', [1, 2]],
    ] as const) {
      const received = await deployTrigger({
        topic: source,
        consumer_group: uniqueName(isolation),
        start_from: 'earliest',
        isolation_level: isolation,
      });
      await waitFor(
        () => received.some((msg) => (msg.payload.message as { seq: number }).seq === 2),
        20000,
        `seq 2 with ${isolation}`,
      );
      should(received.map((msg) => (msg.payload.message as { seq: number }).seq)).eql(expected);
      await stopNodeRed();
      await startNodeRed();
    }
  });
});
