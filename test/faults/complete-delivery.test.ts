// Complete delivery under faults, in real Node-RED processes: a SIGKILL with records in
// flight loses nothing, and a large backlog with a slow downstream keeps records in flight at the cap.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import should from 'should';
import { Kafka, logLevel } from 'kafkajs';
import { createTopic } from '../../scripts/kafka/local-kafka';
import { uniqueName } from '../support/kafka';
import { committedOffsets, printFigures, withFaultAdmin } from '../support/faults';
import {
  brokerNode,
  fileRecorderNode,
  functionNode,
  tab,
  triggerNode,
  type FlowNode,
} from '../support/flows';
import { startNodeRedProcess, type NodeRedProcess } from '../support/node-red-process';
import { waitFor } from '../support/wait';
import { sharedBroker } from '../support/shared-broker';

const PARTITIONS = 3;

/** Produces `count` records {"seq": n} spread over the partitions, in large batches. */
async function preload(topic: string, count: number): Promise<void> {
  const producer = new Kafka({ brokers: [sharedBroker().bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    for (let start = 0; start < count; start += 5000) {
      const messages = [];
      for (let seq = start; seq < Math.min(start + 5000, count); seq += 1) {
        messages.push({
          value: JSON.stringify({ seq, filler: 'x'.repeat(60) }),
          partition: seq % PARTITIONS,
        });
      }
      await producer.send({ topic, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** How many records of the topic the group has committed, over all partitions. */
async function committedRecords(group: string, topic: string): Promise<number> {
  const [offsets] = await withFaultAdmin(sharedBroker(), (admin) =>
    admin.fetchOffsets({ groupId: group, topics: [topic] }),
  );
  // A partition with nothing committed reports -1.
  return (offsets?.partitions ?? []).reduce((sum, { offset }) => sum + Math.max(0, Number(offset)), 0);
}

/** Numbers written one per line by the flows' file nodes. */
function readNumbers(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(Number);
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kib / 1024);
}

interface FlowOptions {
  topic: string;
  group: string;
  delivery: 'handoff' | 'complete';
  maxInFlight: number;
  delayMs: number;
  doneFile: string;
  peakFile: string;
}

/**
 * trigger -> a function that holds each message `delayMs` and tracks how many it holds at once
 * (each new peak goes to peakFile) -> a file node appending the record's number to doneFile.
 */
function slowFlow(options: FlowOptions): FlowNode[] {
  const hold = `
    const held = (context.get('held') || 0) + 1;
    context.set('held', held);
    if (held > (context.get('peak') || 0)) { context.set('peak', held); node.send([null, { payload: held }]); }
    setTimeout(() => {
      context.set('held', context.get('held') - 1);
      msg.payload = msg.payload.message.seq;
      node.send([msg, null]);
      node.done();
    }, ${options.delayMs});`;
  return [
    tab('flow control'),
    brokerNode('broker1', sharedBroker().bootstrap),
    triggerNode(
      'trigger1',
      {
        topic: options.topic,
        consumer_group: options.group,
        broker: 'broker1',
        start_from: 'earliest',
        delivery: options.delivery,
        max_in_flight: options.maxInFlight,
      },
      ['hold'],
    ),
    functionNode('hold', hold, [['done'], ['peak']]),
    fileRecorderNode('done', options.doneFile),
    fileRecorderNode('peak', options.peakFile),
  ];
}

describe('fault: complete delivery', function () {
  this.timeout(300000);
  const workDir = mkdtempSync(path.join(tmpdir(), 'kafka-trigger-flow-control-'));
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

  it('loses nothing when Node-RED is killed with records in flight, and repeats only what it had not committed', async () => {
    const total = 3000;
    const maxInFlight = 50;
    const topic = uniqueName('fc-kill');
    const group = uniqueName('fc-kill-group');
    await createTopic(sharedBroker(), topic, PARTITIONS);
    await preload(topic, total);
    const first = path.join(workDir, 'kill-first.txt');
    const second = path.join(workDir, 'kill-second.txt');
    const flow = (doneFile: string) =>
      slowFlow({
        topic,
        group,
        delivery: 'complete',
        maxInFlight,
        delayMs: 20,
        doneFile,
        peakFile: `${doneFile}.peak`,
      });

    const victim = await start('kill-first', flow(first));
    await waitFor(
      () => readNumbers(first).length >= 600,
      120000,
      '600 records finished by the first process',
    );
    await victim.stop('SIGKILL');
    const finishedBeforeKill = readNumbers(first).length;
    // Where the survivor starts: the killed process's last commit, once it has landed (a request
    // sent just before the kill may still be applied, so two reads half a second apart must agree).
    let atKill = await committedOffsets(sharedBroker(), group, topic, PARTITIONS);
    await waitFor(
      async () => {
        const previous = atKill;
        atKill = await committedOffsets(sharedBroker(), group, topic, PARTITIONS);
        return previous.every((offset, partition) => offset === atKill[partition]);
      },
      30000,
      "the killed process's commits to settle",
    );
    // Record `seq` sits in partition seq % 3 at offset floor(seq / 3) (see preload).
    const finishedUncommitted = readNumbers(first).filter(
      (seq) => Math.floor(seq / PARTITIONS) >= atKill[seq % PARTITIONS],
    ).length;

    await start('kill-second', flow(second));
    await waitFor(
      () => new Set([...readNumbers(first), ...readNumbers(second)]).size === total,
      120000,
      'every record finished by one process or the other',
    );
    // Committed means finished, file node included: once everything is, no duplicate can still come.
    await waitFor(
      async () => (await committedRecords(group, topic)) === total,
      60000,
      'the second process to commit every record',
    );
    const all = [...readNumbers(first), ...readNumbers(second)];
    const distinct = new Set(all);
    const duplicates = all.length - distinct.size;
    const peaks = [...readNumbers(`${first}.peak`), ...readNumbers(`${second}.peak`)];
    printFigures('flow-control-sigkill', {
      records: total,
      finished_before_kill: finishedBeforeKill,
      lost: total - distinct.size,
      duplicates,
      finished_uncommitted_at_kill: finishedUncommitted,
      in_flight_cap: maxInFlight,
      peak_in_flight: Math.max(...peaks),
    });
    should(total - distinct.size).equal(0);
    // Only records the killed process finished but had not committed come twice: the unfinished
    // ones (at most the cap, see the peak) were never finished there, and nothing committed repeats.
    should(duplicates).be.belowOrEqual(finishedUncommitted);
    should(Math.max(...peaks)).be.belowOrEqual(maxInFlight);
  });

  for (const delivery of ['complete', 'handoff'] as const) {
    it(`drains a 200,000-record backlog through a 5 ms downstream (${delivery})`, async () => {
      const total = 200000;
      const maxInFlight = 100;
      const topic = uniqueName(`fc-backlog-${delivery}`);
      await createTopic(sharedBroker(), topic, PARTITIONS);
      await preload(topic, total);
      const doneFile = path.join(workDir, `backlog-${delivery}.txt`);
      const peakFile = `${doneFile}.peak`;
      const proc = await start(
        `backlog-${delivery}`,
        slowFlow({
          topic,
          group: uniqueName('fc-backlog'),
          delivery,
          maxInFlight,
          delayMs: 5,
          doneFile,
          peakFile,
        }),
      );
      const pid = proc.child.pid!;
      const baseline = rssMiB(pid);
      let peakRss = baseline;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(pid))), 250);
      const started = Date.now();
      try {
        await waitFor(() => readNumbers(doneFile).length >= total, 240000, `${total} records finished`);
      } finally {
        clearInterval(sampler);
      }
      const peakInFlight = Math.max(...readNumbers(peakFile));
      printFigures(`flow-control-backlog-${delivery}`, {
        records: total,
        downstream_ms: 5,
        in_flight_cap: delivery === 'complete' ? maxInFlight : 'none',
        peak_in_flight: peakInFlight,
        rss_start_mib: baseline,
        rss_peak_mib: peakRss,
        drain_s: ((Date.now() - started) / 1000).toFixed(1),
      });
      if (delivery === 'complete') should(peakInFlight).be.belowOrEqual(maxInFlight);
      await proc.stop();
    });
  }
});
