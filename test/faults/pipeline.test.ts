// An at-least-once pipeline in a real Node-RED process: topic A -> kafka-trigger (delivery complete)
// -> function -> kafka-produce -> topic B. Node-RED is killed mid-stream, then the broker is: every
// record of A ends up in B (lost 0), and the duplicates stay within README's bound: per crash, what
// had reached the flow and was not committed, and none from producer retries with `idempotent`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import should from 'should';
import { Kafka, logLevel } from 'kafkajs';
import { createTopic, startLocalKafka, type LocalKafka } from '../../scripts/kafka/local-kafka';
import { uniqueName } from '../support/kafka';
import { committedOffsets, printFigures, withFaultAdmin, type BrokerAddress } from '../support/faults';
import { startNodeRedProcess, type NodeRedProcess } from '../support/node-red-process';
import { sleep, waitFor } from '../support/wait';
import { brokerNode, functionNode, produceNode, tab, triggerNode, type FlowNode } from '../support/flows';
import { sharedBroker } from '../support/shared-broker';

const PARTITIONS = 3;

interface Pipeline {
  source: string;
  target: string;
  group: string;
}

interface PipelineOptions {
  maxInFlight: number;
  idempotent: boolean;
}

/** A record of B: the source record's seq, the Node-RED process that wrote it, and the msg it came in. */
interface Written {
  seq: number;
  run: string;
  msgid: string;
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

/** Whether record `seq` lies at or past the committed offset of its partition. */
function uncommitted(seq: number, committed: number[]): boolean {
  const { partition, offset } = sourceOffset(seq);
  return offset >= committed[partition];
}

/**
 * trigger (complete) -> function -> kafka-produce (acks all). The function keys the record by seq and
 * tags it with the process (PIPELINE_RUN) and the msg id: a copy with the same msg id is a producer
 * re-send, one with another msg id a record the trigger delivered again.
 */
function pipelineFlow(broker: BrokerAddress, pipeline: Pipeline, options: PipelineOptions): FlowNode[] {
  const enrich = `
    const seq = msg.payload.message.seq;
    msg.key = String(seq);
    msg.payload = { seq, run: env.get('PIPELINE_RUN'), msgid: msg._msgid };
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
        max_in_flight: options.maxInFlight,
      },
      ['enrich'],
    ),
    functionNode('enrich', enrich, [['produce1']]),
    produceNode('produce1', {
      broker: 'broker1',
      topic: pipeline.target,
      acks: 'all',
      idempotent: options.idempotent,
    }),
  ];
}

async function targetCount(broker: BrokerAddress, topic: string): Promise<number> {
  const ends = await withFaultAdmin(broker, (admin) => admin.fetchTopicOffsets(topic));
  return ends.reduce((sum, { high }) => sum + Number(high), 0);
}

/**
 * Waits until the target topic holds `count` records, through one admin client, so that the check
 * is quick enough for a kill to land while the pipeline still has work.
 */
async function waitForTarget(broker: BrokerAddress, topic: string, count: number): Promise<void> {
  await withFaultAdmin(broker, (admin) =>
    waitFor(
      async () =>
        (await admin.fetchTopicOffsets(topic)).reduce((sum, { high }) => sum + Number(high), 0) >= count,
      120000,
      `${count} records in ${topic}`,
    ),
  );
}

/** Every record written to the target topic so far, duplicates included, in each partition's order. */
async function writtenRecords(
  broker: BrokerAddress,
  topic: string,
): Promise<(Written & { partition: number })[]> {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const expected = await targetCount(broker, topic);
  const consumer = kafka.consumer({ groupId: uniqueName('pipeline-reader') });
  const records: (Written & { partition: number })[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        records.push({ ...(JSON.parse(String(message.value)) as Written), partition });
      },
    });
    await waitFor(() => records.length >= expected, 60000, `${expected} records of ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Each partition's committed offset; -1 where nothing is committed. */
function committedInSource(broker: BrokerAddress, pipeline: Pipeline): Promise<number[]> {
  return committedOffsets(broker, pipeline.group, pipeline.source, PARTITIONS);
}

/** The committed offsets once they stop moving: a commit sent just before a kill may still land. */
async function settledCommits(broker: BrokerAddress, pipeline: Pipeline): Promise<number[]> {
  let latest = await committedInSource(broker, pipeline);
  await waitFor(
    async () => {
      const previous = latest;
      await sleep(500);
      latest = await committedInSource(broker, pipeline);
      return previous.every((offset, partition) => offset === latest[partition]);
    },
    30000,
    'the commits to settle',
  );
  return latest;
}

async function allCommitted(broker: BrokerAddress, pipeline: Pipeline, total: number): Promise<void> {
  await waitFor(
    async () =>
      (await committedInSource(broker, pipeline)).reduce((sum, offset) => sum + Math.max(0, offset), 0) ===
      total,
    180000,
    'the group to commit every record of the source',
  );
}

/** The copies of each seq, in the order B holds them. */
function copiesBySeq(written: Written[]): Map<number, Written[]> {
  const bySeq = new Map<number, Written[]>();
  for (const record of written) bySeq.set(record.seq, [...(bySeq.get(record.seq) ?? []), record]);
  return bySeq;
}

/** Copies of one msg beyond its first: the producer sent a request again and the broker wrote it twice. */
function producerResends(bySeq: Map<number, Written[]>): number {
  let resends = 0;
  for (const copies of bySeq.values()) resends += copies.length - new Set(copies.map((c) => c.msgid)).size;
  return resends;
}

/**
 * Records of one source partition that landed in one partition of B out of their order (first
 * copies only: a record delivered again after a crash comes later by design).
 */
function outOfOrder(written: (Written & { partition: number })[]): number {
  const seen = new Set<number>();
  const last = new Map<string, number>();
  let count = 0;
  for (const { seq, partition } of written) {
    if (seen.has(seq)) continue;
    seen.add(seq);
    const lane = `${partition}:${sourceOffset(seq).partition}`;
    if ((last.get(lane) ?? -1) > seq) count += 1;
    last.set(lane, seq);
  }
  return count;
}

describe('fault: topic-to-topic pipeline (trigger complete -> function -> kafka-produce)', function () {
  this.timeout(420000);
  const workDir = mkdtempSync(path.join(tmpdir(), 'kafka-pipeline-'));
  const running: NodeRedProcess[] = [];
  const start = async (name: string, flows: FlowNode[]) => {
    const proc = await startNodeRedProcess({
      dir: path.join(workDir, name),
      flows,
      env: { PIPELINE_RUN: name },
    });
    running.push(proc);
    return proc;
  };

  after(async () => {
    await Promise.all(running.map((proc) => proc.stop('SIGKILL')));
    rmSync(workDir, { recursive: true, force: true });
  });

  it('loses nothing when Node-RED is killed mid-stream; duplicates are only what was written and not yet committed', async () => {
    const total = 4000;
    const options = { maxInFlight: 50, idempotent: false };
    const broker = sharedBroker();
    const pipeline = await newPipeline(broker, 'pipe-kill');
    await preload(broker, pipeline.source, total);

    const victim = await start('pipe-kill-first', pipelineFlow(broker, pipeline, options));
    await waitForTarget(broker, pipeline.target, 1000);
    await victim.stop('SIGKILL');
    const atKill = await settledCommits(broker, pipeline);
    const writtenByVictim = await writtenRecords(broker, pipeline.target);
    // Written to B, but not committed in A: the survivor reads these again and writes them again.
    const writtenUncommitted = new Set(
      writtenByVictim.map(({ seq }) => seq).filter((seq) => uncommitted(seq, atKill)),
    ).size;

    await start('pipe-kill-second', pipelineFlow(broker, pipeline, options));
    await allCommitted(broker, pipeline, total);
    const written = await writtenRecords(broker, pipeline.target);
    const bySeq = copiesBySeq(written);
    const duplicates = written.length - bySeq.size;
    printFigures('pipeline-node-red-sigkill', {
      records: total,
      written_before_kill: writtenByVictim.length,
      lost: total - bySeq.size,
      duplicates,
      producer_resends: producerResends(bySeq),
      written_uncommitted_at_kill: writtenUncommitted,
      in_flight_cap: options.maxInFlight,
    });
    should(total - bySeq.size).equal(0, 'records of A missing from B');
    should([...bySeq.keys()].every((seq) => seq >= 0 && seq < total)).be.true();
    should(duplicates).be.belowOrEqual(writtenUncommitted);
  });

  describe('with a broker of its own', () => {
    let broker: LocalKafka;
    before(async function () {
      this.timeout(300000);
      broker = await startLocalKafka();
    });
    after(async () => broker?.destroy());

    it('with idempotent kafka-produce, across a Node-RED SIGKILL and then a broker SIGKILL: loses nothing, keeps the order, duplicates only what each crash left uncommitted', async () => {
      const total = 3600;
      // The trigger's default max_in_flight.
      const options = { maxInFlight: 100, idempotent: true };
      const pipeline = await newPipeline(broker, 'pipe-crashes');
      await preload(broker, pipeline.source, total);
      const flow = pipelineFlow(broker, pipeline, options);

      // 1. Node-RED dies: what it wrote and had not committed is delivered again by the next one.
      const first = await start('pipe-crashes-first', flow);
      await waitForTarget(broker, pipeline.target, 900);
      await first.stop('SIGKILL');
      const atNodeRedKill = await settledCommits(broker, pipeline);
      const writtenUncommittedAtNodeRedKill = new Set(
        (await writtenRecords(broker, pipeline.target))
          .map(({ seq }) => seq)
          .filter((seq) => uncommitted(seq, atNodeRedKill)),
      ).size;

      // 2. The broker dies under the second Node-RED: the records in flight are written once it is
      // back, and with those whose commit had not reached it, delivered again.
      await start('pipe-crashes-second', flow);
      await waitForTarget(broker, pipeline.target, 1500);
      // Read before the kill, so at most what was committed then: the bound below can only grow by it.
      const beforeBrokerKill = await committedInSource(broker, pipeline);
      const inTargetAtBrokerKill = await targetCount(broker, pipeline.target);
      await broker.stop('SIGKILL');
      await sleep(5000);
      await broker.start();
      const uncommittedAtBrokerKill = new Set(
        (await writtenRecords(broker, pipeline.target))
          .filter(({ run, seq }) => run === 'pipe-crashes-second' && uncommitted(seq, beforeBrokerKill))
          .map(({ seq }) => seq),
      ).size;

      await allCommitted(broker, pipeline, total);
      const written = await writtenRecords(broker, pipeline.target);
      const bySeq = copiesBySeq(written);
      // Written by both processes: delivered again after the Node-RED kill.
      const acrossRuns = [...bySeq.entries()]
        .filter(([, copies]) => new Set(copies.map(({ run }) => run)).size > 1)
        .map(([seq]) => seq);
      // Written in several msgs by the second process: delivered again after the broker kill.
      const withinSecond = [...bySeq.entries()].flatMap(([seq, copies]) => {
        const msgs = new Set(copies.filter(({ run }) => run === 'pipe-crashes-second').map((c) => c.msgid));
        return Array<number>(Math.max(0, msgs.size - 1)).fill(seq);
      });
      const afterNodeRedKill = acrossRuns.length;
      const afterBrokerKill = withinSecond.length;
      const resends = producerResends(bySeq);
      printFigures('pipeline-node-red-then-broker-sigkill', {
        records: total,
        lost: total - bySeq.size,
        duplicates: written.length - bySeq.size,
        after_node_red_kill: afterNodeRedKill,
        after_broker_kill: afterBrokerKill,
        producer_resends: resends,
        written_uncommitted_at_node_red_kill: writtenUncommittedAtNodeRedKill,
        in_b_at_broker_kill: inTargetAtBrokerKill,
        uncommitted_at_broker_kill: uncommittedAtBrokerKill,
        out_of_order: outOfOrder(written),
        in_flight_cap: options.maxInFlight,
      });
      should(total - bySeq.size).equal(0, 'records of A missing from B');
      should(outOfOrder(written)).equal(0, 'records of one source partition out of order in B');
      should(resends).equal(0, 'records the idempotent producer wrote twice');
      // Only what was not committed can come round again, and no more than that.
      should(acrossRuns.filter((seq) => !uncommitted(seq, atNodeRedKill))).be.empty();
      should(withinSecond.filter((seq) => !uncommitted(seq, beforeBrokerKill))).be.empty();
      should(afterNodeRedKill).be.belowOrEqual(writtenUncommittedAtNodeRedKill);
      // In flight at the broker's death (written once it was back), or written and not yet committed.
      should(afterBrokerKill).be.belowOrEqual(options.maxInFlight + uncommittedAtBrokerKill);
    });
  });
});
