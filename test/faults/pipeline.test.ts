// An at-least-once pipeline in a real Node-RED process: topic A -> kafka-trigger (delivery complete)
// -> function -> kafka-produce -> topic B. Node-RED is killed mid-stream, or the broker is: every
// record of A ends up in B (lost 0), and the duplicates stay within what the kill left uncommitted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import should from 'should';
import { Kafka, logLevel } from 'kafkajs';
import { createTopic, startLocalKafka, type LocalKafka } from '../../scripts/kafka/local-kafka';
import { uniqueName } from '../support/kafka';
import { printFigures, withFaultAdmin, type BrokerAddress } from '../support/faults';
import { startNodeRedProcess, type NodeRedProcess } from '../support/node-red-process';
import { sleep, waitFor } from '../support/wait';
import { brokerNode, functionNode, produceNode, tab, triggerNode, type FlowNode } from '../support/flows';
import { sharedBroker } from '../support/shared-broker';

const PARTITIONS = 3;
const MAX_IN_FLIGHT = 50;
const TOTAL = 4000;

interface Pipeline {
  source: string;
  target: string;
  group: string;
}

async function newPipeline(broker: LocalKafka, name: string): Promise<Pipeline> {
  const pipeline = {
    source: uniqueName(`${name}-a`),
    target: uniqueName(`${name}-b`),
    group: uniqueName(name),
  };
  await createTopic(broker, pipeline.source, PARTITIONS);
  await createTopic(broker, pipeline.target, PARTITIONS);
  return pipeline;
}

/** Writes {"seq": n} for n below `count`: record n sits in partition n % 3 at offset floor(n / 3). */
async function preload(broker: BrokerAddress, topic: string, count: number): Promise<void> {
  const producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    const messages = Array.from({ length: count }, (_, seq) => ({
      value: JSON.stringify({ seq, filler: 'x'.repeat(100) }),
      partition: seq % PARTITIONS,
    }));
    for (let start = 0; start < count; start += 2000) {
      await producer.send({ topic, messages: messages.slice(start, start + 2000) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** The source record's place: the offset in its partition of record `seq` (see preload). */
function sourceOffset(seq: number): { partition: number; offset: number } {
  return { partition: seq % PARTITIONS, offset: Math.floor(seq / PARTITIONS) };
}

/** trigger (complete) -> function (the enriched record, keyed by seq) -> kafka-produce (acks all). */
function pipelineFlow(broker: BrokerAddress, pipeline: Pipeline): FlowNode[] {
  const enrich = `
    const seq = msg.payload.message.seq;
    msg.key = String(seq);
    msg.payload = { seq, source_offset: msg.payload.offset };
    return msg;`;
  return [
    tab('pipeline'),
    brokerNode('broker1', broker.bootstrap),
    triggerNode(
      'trigger1',
      {
        broker: 'broker1',
        topic: pipeline.source,
        consumer_group: pipeline.group,
        start_from: 'earliest',
        delivery: 'complete',
        max_in_flight: MAX_IN_FLIGHT,
      },
      ['enrich'],
    ),
    functionNode('enrich', enrich, [['produce1']]),
    produceNode('produce1', { broker: 'broker1', topic: pipeline.target, acks: 'all' }),
  ];
}

/** Every seq written to the target topic so far, duplicates included. */
async function writtenSeqs(broker: BrokerAddress, topic: string): Promise<number[]> {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const ends = await withFaultAdmin(broker, (admin) => admin.fetchTopicOffsets(topic));
  const expected = ends.reduce((sum, { high }) => sum + Number(high), 0);
  const consumer = kafka.consumer({ groupId: uniqueName('pipeline-reader') });
  const seqs: number[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seqs.push((JSON.parse(String(message.value)) as { seq: number }).seq);
      },
    });
    await waitFor(() => seqs.length >= expected, 60000, `${expected} records of ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return seqs;
}

async function targetCount(broker: BrokerAddress, topic: string): Promise<number> {
  const ends = await withFaultAdmin(broker, (admin) => admin.fetchTopicOffsets(topic));
  return ends.reduce((sum, { high }) => sum + Number(high), 0);
}

/** Each partition's committed offset; -1 where nothing is committed. */
async function committedOffsets(broker: BrokerAddress, pipeline: Pipeline): Promise<number[]> {
  const [offsets] = await withFaultAdmin(broker, (admin) =>
    admin.fetchOffsets({ groupId: pipeline.group, topics: [pipeline.source] }),
  );
  const byPartition = Array<number>(PARTITIONS).fill(-1);
  for (const { partition, offset } of offsets?.partitions ?? []) byPartition[partition] = Number(offset);
  return byPartition;
}

/** The committed offsets once they stop moving: a commit sent just before a kill may still land. */
async function settledCommits(broker: BrokerAddress, pipeline: Pipeline): Promise<number[]> {
  let latest = await committedOffsets(broker, pipeline);
  await waitFor(
    async () => {
      const previous = latest;
      await sleep(500);
      latest = await committedOffsets(broker, pipeline);
      return previous.every((offset, partition) => offset === latest[partition]);
    },
    30000,
    'the commits to settle',
  );
  return latest;
}

async function allCommitted(broker: BrokerAddress, pipeline: Pipeline): Promise<void> {
  await waitFor(
    async () =>
      (await committedOffsets(broker, pipeline)).reduce((sum, offset) => sum + Math.max(0, offset), 0) ===
      TOTAL,
    180000,
    'the group to commit every record of the source',
  );
}

describe('fault: topic-to-topic pipeline (trigger complete -> function -> kafka-produce)', function () {
  this.timeout(420000);
  const workDir = mkdtempSync(path.join(tmpdir(), 'kafka-pipeline-'));
  const running: NodeRedProcess[] = [];
  const start = async (name: string, flows: FlowNode[]) => {
    const proc = await startNodeRedProcess({ dir: path.join(workDir, name), flows });
    running.push(proc);
    return proc;
  };

  after(async () => {
    await Promise.all(running.map((proc) => proc.stop('SIGKILL')));
    rmSync(workDir, { recursive: true, force: true });
  });

  it('loses nothing when Node-RED is killed mid-stream; duplicates are only what was written and not yet committed', async () => {
    const broker = sharedBroker();
    const pipeline = await newPipeline(broker, 'pipe-kill');
    await preload(broker, pipeline.source, TOTAL);

    const victim = await start('pipe-kill-first', pipelineFlow(broker, pipeline));
    await waitFor(
      async () => (await targetCount(broker, pipeline.target)) >= 1000,
      120000,
      '1000 records in B',
    );
    await victim.stop('SIGKILL');
    const atKill = await settledCommits(broker, pipeline);
    const writtenByVictim = await writtenSeqs(broker, pipeline.target);
    // Written to B, but not committed in A: the survivor reads these again and writes them again.
    const writtenUncommitted = new Set(
      writtenByVictim.filter((seq) => sourceOffset(seq).offset >= atKill[sourceOffset(seq).partition]),
    ).size;

    await start('pipe-kill-second', pipelineFlow(broker, pipeline));
    await allCommitted(broker, pipeline);
    const written = await writtenSeqs(broker, pipeline.target);
    const distinct = new Set(written);
    const duplicates = written.length - distinct.size;
    printFigures('pipeline-node-red-sigkill', {
      records: TOTAL,
      written_before_kill: writtenByVictim.length,
      lost: TOTAL - distinct.size,
      duplicates,
      written_uncommitted_at_kill: writtenUncommitted,
      in_flight_cap: MAX_IN_FLIGHT,
    });
    should(TOTAL - distinct.size).equal(0, 'records of A missing from B');
    should([...distinct].every((seq) => seq >= 0 && seq < TOTAL)).be.true();
    should(duplicates).be.belowOrEqual(writtenUncommitted);
  });

  describe('with a broker of its own', () => {
    let broker: LocalKafka;
    before(async function () {
      this.timeout(300000);
      broker = await startLocalKafka();
    });
    after(async () => broker?.destroy());

    it('loses nothing when the broker is killed mid-stream and comes back', async () => {
      const pipeline = await newPipeline(broker, 'pipe-broker-kill');
      await preload(broker, pipeline.source, TOTAL);
      await start('pipe-broker-kill', pipelineFlow(broker, pipeline));
      await waitFor(
        async () => (await targetCount(broker, pipeline.target)) >= 1000,
        120000,
        '1000 records in B',
      );
      const beforeKill = await committedOffsets(broker, pipeline);
      await broker.stop('SIGKILL');
      await sleep(5000);
      await broker.start();
      await allCommitted(broker, pipeline);
      const written = await writtenSeqs(broker, pipeline.target);
      const distinct = new Set(written);
      const duplicates = written.length - distinct.size;
      // Only what was not committed before the kill can come round again.
      const seen = new Set<number>();
      const repeated = written.filter((seq) => seen.has(seq) || !seen.add(seq));
      const repeatedCommitted = repeated.filter(
        (seq) => sourceOffset(seq).offset < beforeKill[sourceOffset(seq).partition],
      );
      printFigures('pipeline-broker-sigkill', {
        records: TOTAL,
        lost: TOTAL - distinct.size,
        duplicates,
        in_flight_cap: MAX_IN_FLIGHT,
      });
      should(TOTAL - distinct.size).equal(0, 'records of A missing from B');
      should(repeatedCommitted).be.empty();
    });
  });
});
