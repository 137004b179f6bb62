// Exactly-once pipelines under faults (issue 26), in real Node-RED processes against the real
// broker: topic A (3 partitions) -> kafka-trigger (delivery exactly-once, a dead-letter topic) ->
// function (drops every n % 10 == 3, sends every n % 5 == 0 to both outputs) -> kafka-produce -> B
// and a second kafka-produce -> C. Whatever the fault, a read_committed consumer of B and C sees
// every expected record exactly once, and the group commits A to its end. That consumer is kcat
// (librdkafka): a kafkajs consumer, read_committed by default, may show records of aborted
// transactions (see readCommittedWithKafkajs), so its view is only compared and counted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import should from 'should';
import { createTopic, startLocalKafka, type LocalKafka } from '../../scripts/kafka/local-kafka';
import { uniqueName } from '../support/kafka';
import {
  committedOffsets,
  committedToEnd,
  groupMembers,
  preloadSequence,
  printFigures,
  readCommittedWithKafkajs,
  readRecordedPayloads,
  seconds,
  startSequenceProducer,
  withFaultAdmin,
  type BrokerAddress,
} from '../support/faults';
import {
  brokerNode,
  fileRecorderNode,
  functionNode,
  produceNode,
  tab,
  triggerNode,
  type FlowNode,
} from '../support/flows';
import {
  deployFlows,
  nodeStatus,
  startNodeRedProcess,
  type NodeRedProcess,
} from '../support/node-red-process';
import { waitFor } from '../support/wait';
import { readCommittedWithKcat, type PlacedRecord } from '../support/read-back';
import { sharedBroker } from '../support/shared-broker';

const PARTITIONS = 3;
/** Records of A per scenario (the storm's come from a live producer instead). */
const RECORDS = 3000;
/** Low, so that a dead or frozen member leaves the group within seconds. */
const SESSION_TIMEOUT_MS = 6000;
const HEARTBEAT_MS = 1000;
/** The time every scenario may take to commit A to its end once its fault is over. */
const SETTLE_MS = 120000;

/** Records the function drops: the flow finishes them without writing anything. */
const dropped = (n: number): boolean => n % 10 === 3;
/** Records the function sends to both outputs, so to B and to C. */
const fannedOut = (n: number): boolean => n % 5 === 0;

interface Topics {
  source: string;
  b: string;
  c: string;
  deadLetter: string;
  group: string;
}

interface FlowOptions {
  /** Tags every record written, so that a copy names the process (or deploy) that wrote it. */
  run: string;
  /** How long the function holds each record before it sends it on (ms). */
  delayMs: number;
  /** Where the trigger's metrics output goes, one snapshot a second. */
  metricsFile: string;
  clientId?: string;
  /** Where the function notes each record it takes in and sends on: {n, phase, msgid}. */
  traceFile?: string;
  /** The record whose output gets a padding larger than B's max.message.bytes. */
  oversized?: number;
}

/** A record as B or C holds it: the source record's n, the run that wrote it, its msg, and its place. */
interface Written {
  n: number;
  run: string;
  msgid: string;
  partition: number;
  offset: number;
}

interface Tally {
  expected: number;
  read: number;
  /** Every copy of each n, in the order read. */
  copies: Map<number, Written[]>;
  duplicates: number;
  lost: number[];
  /** Records that should not be in the topic at all. */
  unexpected: Written[];
}

interface Verdict {
  b: Tally;
  c: Tally;
  /** The n of each record on the dead-letter topic. */
  deadLettered: number[];
  /** Records of B, C and the dead-letter topic that kafkajs showed and librdkafka did not: aborted ones. */
  kafkajsOnly: string[];
}

interface TraceLine {
  n: number;
  phase: 'in' | 'out';
  msgid: string;
}

async function newTopics(broker: BrokerAddress, name: string, bMaxMessageBytes?: number): Promise<Topics> {
  const topics = {
    source: uniqueName(`${name}-a`),
    b: uniqueName(`${name}-b`),
    c: uniqueName(`${name}-c`),
    deadLetter: uniqueName(`${name}-dead`),
    group: uniqueName(name),
  };
  await createTopic(broker, topics.source, PARTITIONS);
  await createTopic(broker, topics.c, PARTITIONS);
  await createTopic(broker, topics.deadLetter, 1);
  if (bMaxMessageBytes === undefined) await createTopic(broker, topics.b, PARTITIONS);
  else {
    const configEntries = [{ name: 'max.message.bytes', value: String(bMaxMessageBytes) }];
    await withFaultAdmin(broker, (admin) =>
      admin.createTopics({
        topics: [{ topic: topics.b, numPartitions: PARTITIONS, configEntries }],
        waitForLeaders: true,
      }),
    );
  }
  return topics;
}

/**
 * The pipeline. The function keys each output by n and tags it with the run and the msg id; after
 * `delayMs` (a timer, so records are in flight meanwhile) it drops, sends to B, or to B and C.
 */
function exactlyOnceFlow(broker: BrokerAddress, topics: Topics, options: FlowOptions): FlowNode[] {
  const trace = (phase: string): string =>
    options.traceFile
      ? `node.send([null, null, { payload: { n, phase: '${phase}', msgid: msg._msgid } }]);`
      : '';
  const route = `
    const n = msg.payload.message.n;
    ${trace('in')}
    setTimeout(() => {
      ${trace('out')}
      if (n % 10 === 3) return node.done();
      msg.key = String(n);
      msg.payload = { n, run: ${JSON.stringify(options.run)}, msgid: msg._msgid };
      if (n === ${options.oversized ?? -1}) msg.payload.padding = 'x'.repeat(20000);
      node.send([msg, n % 5 === 0 ? RED.util.cloneMessage(msg) : null]);
      node.done();
    }, ${options.delayMs});`;
  const outputs = [['produceB'], ['produceC'], ...(options.traceFile ? [['trace']] : [])];
  return [
    tab('exactly-once'),
    brokerNode('broker1', broker.bootstrap, { client_id: options.clientId ?? '' }),
    {
      ...triggerNode('trigger1', {
        broker: 'broker1',
        topic: topics.source,
        consumer_group: topics.group,
        start_from: 'earliest',
        session_timeout: SESSION_TIMEOUT_MS,
        heartbeat_interval: HEARTBEAT_MS,
        delivery: 'exactly-once',
        dead_letter_topic: topics.deadLetter,
        metrics_interval: 1,
      }),
      outputs: 2,
      wires: [['route'], ['metrics']],
    },
    functionNode('route', route, outputs),
    produceNode('produceB', { broker: 'broker1', topic: topics.b }),
    produceNode('produceC', { broker: 'broker1', topic: topics.c }),
    fileRecorderNode('metrics', options.metricsFile),
    ...(options.traceFile ? [fileRecorderNode('trace', options.traceFile)] : []),
  ];
}

/**
 * The records of `topic` as a read_committed librdkafka consumer sees them, and those a kafkajs
 * consumer (read_committed, its default) shows besides. The kafkajs read comes first: it waits
 * until every transaction on the topic has ended, so that librdkafka's end of each partition (its
 * last stable offset) is the partition's end.
 */
async function readBoth(
  broker: BrokerAddress,
  topic: string,
): Promise<{ records: PlacedRecord[]; kafkajsOnly: string[] }> {
  const place = ({ partition, offset }: { partition: number; offset: number }): string =>
    `${topic}:${partition}@${offset}`;
  const kafkajs = await readCommittedWithKafkajs(broker, topic);
  const records = await readCommittedWithKcat(broker.bootstrap, topic);
  const committed = new Set(records.map(place));
  return { records, kafkajsOnly: kafkajs.map(place).filter((at) => !committed.has(at)) };
}

function writtenOf(records: PlacedRecord[]): Written[] {
  return records.map(({ value, partition, offset }) => {
    const { n, run, msgid } = JSON.parse(String(value)) as Written;
    return { n, run, msgid, partition, offset };
  });
}

function tally(written: Written[], expected: number[]): Tally {
  const wanted = new Set(expected);
  const copies = new Map<number, Written[]>();
  for (const record of written) copies.set(record.n, [...(copies.get(record.n) ?? []), record]);
  return {
    expected: expected.length,
    read: written.length,
    copies,
    duplicates: [...copies.values()].reduce((sum, list) => sum + list.length - 1, 0),
    lost: expected.filter((n) => !copies.has(n)),
    unexpected: written.filter(({ n }) => !wanted.has(n)),
  };
}

/** What B, C and the dead-letter topic hold once the group has committed A to its end. */
async function verdictOf(
  broker: BrokerAddress,
  topics: Topics,
  numbers: Iterable<number>,
  oversized?: number,
): Promise<Verdict> {
  const all = [...numbers].filter((n) => n !== oversized);
  const [b, c, dead] = await Promise.all([
    readBoth(broker, topics.b),
    readBoth(broker, topics.c),
    readBoth(broker, topics.deadLetter),
  ]);
  return {
    b: tally(
      writtenOf(b.records),
      all.filter((n) => !dropped(n)),
    ),
    c: tally(writtenOf(c.records), all.filter(fannedOut)),
    deadLettered: dead.records.map(({ value }) => (JSON.parse(String(value)) as { n: number }).n),
    kafkajsOnly: [...b.kafkajsOnly, ...c.kafkajsOnly, ...dead.kafkajsOnly],
  };
}

/** Each duplicated n with every copy: where it sits in the output, and which run and msg wrote it. */
function duplicateEvidence(name: string, result: Tally, limit = 10): string {
  const duplicated = [...result.copies.entries()].filter(([, copies]) => copies.length > 1);
  // Where they came from: the smallest and largest duplicated n of each partition of A.
  const ranges = Array.from({ length: PARTITIONS }, (_, partition) => {
    const ns = duplicated.map(([n]) => n).filter((n) => n % PARTITIONS === partition);
    return ns.length > 0
      ? `A partition ${partition}: ${ns.length}, n ${Math.min(...ns)}..${Math.max(...ns)}`
      : '';
  }).filter((range) => range !== '');
  const examples = duplicated
    .slice(0, limit)
    .map(
      ([n, copies]) =>
        `${name} n=${n} (A partition ${n % PARTITIONS}): ` +
        copies.map((c) => `p${c.partition}@${c.offset} ${c.run} ${c.msgid}`).join(' | '),
    );
  return [...ranges, ...examples].join('\n');
}

function verdictFigures(verdict: Verdict): Record<string, number | string> {
  const { b, c } = verdict;
  return {
    b_expected: b.expected,
    b_read: b.read,
    c_expected: c.expected,
    c_read: c.read,
    duplicates: b.duplicates + c.duplicates,
    lost: b.lost.length + c.lost.length,
    unexpected: b.unexpected.length + c.unexpected.length,
    dead_lettered: verdict.deadLettered.length,
    kafkajs_aborted_shown: verdict.kafkajsOnly.length,
    kafkajs_aborted_first: verdict.kafkajsOnly[0] ?? 'none',
  };
}

function assertExactlyOnce(verdict: Verdict, deadLettered: number[] = []): void {
  for (const [name, result] of [
    ['B', verdict.b],
    ['C', verdict.c],
  ] as const) {
    const evidence = duplicateEvidence(name, result);
    should(result.lost.slice(0, 20)).eql([], `${result.lost.length} records missing from ${name}`);
    should(result.duplicates).equal(0, `${result.duplicates} duplicates in ${name}:\n${evidence}`);
    should(result.unexpected.slice(0, 10)).eql([], `records in ${name} that the function never sent there`);
  }
  should(verdict.deadLettered).eql(deadLettered, 'records on the dead-letter topic');
}

/**
 * Transactions committed and aborted, from the last metrics snapshot in each of `files`: one file
 * per trigger (a trigger's counts start at zero). A trigger's last second is missing, so these are
 * lower bounds.
 */
function transactionTotals(files: string[]): { committed: number | string; aborted: number | string } {
  type Snapshot = { transactions?: { committed: number; aborted: number } };
  const last = files
    .map((file) => readRecordedPayloads<Snapshot>(file).at(-1)?.transactions)
    .filter((transactions) => transactions !== undefined);
  if (last.length === 0) return { committed: 'n/a', aborted: 'n/a' };
  return {
    committed: last.reduce((sum, { committed }) => sum + committed, 0),
    aborted: last.reduce((sum, { aborted }) => sum + aborted, 0),
  };
}

/** The warnings and errors the package's nodes logged. */
function nodeWarnings(proc: NodeRedProcess): string[] {
  return proc
    .log()
    .split('\n')
    .filter((line) => /\[(warn|error)\] \[kafka-/.test(line));
}

/** How many records a topic's partitions hold in all, transaction markers included. */
async function endOffsetSum(broker: BrokerAddress, topic: string): Promise<number> {
  const ends = await withFaultAdmin(broker, (admin) => admin.fetchTopicOffsets(topic));
  return ends.reduce((sum, { high }) => sum + Number(high), 0);
}

async function waitForOutput(broker: BrokerAddress, topic: string, count: number): Promise<void> {
  await waitFor(
    async () => (await endOffsetSum(broker, topic)) >= count,
    120000,
    `${count} records in ${topic}`,
  );
}

/** Waits for the group to commit A to its end; fails at once, with the logs, when a Node-RED in `procs` dies. */
async function waitForCommittedToEnd(
  broker: BrokerAddress,
  topics: Topics,
  procs: NodeRedProcess[],
): Promise<void> {
  const exited = ({ child }: NodeRedProcess): boolean => child.exitCode !== null || child.signalCode !== null;
  const outcome = await waitFor(
    async () =>
      procs.some(exited)
        ? 'exited'
        : (await committedToEnd(broker, topics.group, topics.source)) && 'committed',
    SETTLE_MS,
    `group ${topics.group} to commit ${topics.source} to its end`,
  ).catch((error: Error) => error);
  if (outcome === 'committed') return;
  for (const proc of procs) console.log(`Node-RED log:\n${proc.logTail(30)}`);
  const ends = await withFaultAdmin(broker, (admin) => admin.fetchTopicOffsets(topics.source));
  const committed = await committedOffsets(broker, topics.group, topics.source, PARTITIONS);
  const members = await groupMembers(broker, topics.group, topics.source);
  console.log(
    `committed ${committed.join('/')} of ${ends.map(({ high }) => high).join('/')}; members ` +
      members.map(({ clientId, partitions }) => `${clientId}:${partitions.join('.')}`).join(' '),
  );
  if (outcome instanceof Error) throw outcome;
  throw new Error('Node-RED exited before the group committed A to its end');
}

function numbersUpTo(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1);
}

describe('fault: exactly-once pipeline (trigger exactly-once -> function -> kafka-produce to B and C)', function () {
  this.timeout(300000);
  const workDir = mkdtempSync(path.join(tmpdir(), 'kafka-exactly-once-'));
  const running: NodeRedProcess[] = [];
  const start = async (
    broker: BrokerAddress,
    topics: Topics,
    name: string,
    options: Partial<FlowOptions> = {},
  ): Promise<{ proc: NodeRedProcess; flowOptions: FlowOptions }> => {
    const dir = path.join(workDir, name);
    const flowOptions: FlowOptions = {
      run: name,
      delayMs: 2,
      metricsFile: path.join(dir, 'metrics.jsonl'),
      ...options,
    };
    const proc = await startNodeRedProcess({ dir, flows: exactlyOnceFlow(broker, topics, flowOptions) });
    running.push(proc);
    return { proc, flowOptions };
  };
  const metricsFiles = (...names: string[]): string[] =>
    names.map((name) => path.join(workDir, name, 'metrics.jsonl'));

  after(async () => {
    await Promise.all(running.map((proc) => proc.stop('SIGKILL')));
    rmSync(workDir, { recursive: true, force: true });
  });

  it('a) Node-RED killed mid-stream, then restarted: every record exactly once in B and C', async () => {
    const started = Date.now();
    const broker = sharedBroker();
    const topics = await newTopics(broker, 'eos-kill');
    await preloadSequence(broker, topics.source, RECORDS, PARTITIONS);

    const { proc: victim } = await start(broker, topics, 'eos-kill-first');
    await waitForOutput(broker, topics.b, RECORDS / 4);
    await victim.stop('SIGKILL');
    const midStream = !(await committedToEnd(broker, topics.group, topics.source));
    const inBAtKill = await endOffsetSum(broker, topics.b);

    const { proc: second } = await start(broker, topics, 'eos-kill-second');
    await waitForCommittedToEnd(broker, topics, [second]);
    const verdict = await verdictOf(broker, topics, numbersUpTo(RECORDS));
    const transactions = transactionTotals(metricsFiles('eos-kill-first', 'eos-kill-second'));
    printFigures('exactly-once-node-red-sigkill', {
      records: RECORDS,
      ...verdictFigures(verdict),
      b_end_at_kill: inBAtKill,
      killed_mid_stream: midStream,
      tx_committed: transactions.committed,
      tx_aborted: transactions.aborted,
      scenario_s: seconds(Date.now() - started),
    });
    should(midStream).be.true('the kill came after the group had committed everything');
    assertExactlyOnce(verdict);
  });

  describe('with a broker of its own', () => {
    let broker: LocalKafka;
    before(async function () {
      this.timeout(300000);
      broker = await startLocalKafka();
    });
    after(async () => broker?.destroy());

    it('b) broker killed and restarted mid-stream: every record exactly once in B and C', async () => {
      const started = Date.now();
      const topics = await newTopics(broker, 'eos-broker');
      await preloadSequence(broker, topics.source, RECORDS, PARTITIONS);

      const { proc } = await start(broker, topics, 'eos-broker-kill');
      await waitForOutput(broker, topics.b, RECORDS / 4);
      const killedAt = Date.now();
      await broker.stop('SIGKILL');
      await broker.start();
      const outageMs = Date.now() - killedAt;
      const midStream = !(await committedToEnd(broker, topics.group, topics.source));

      await waitForCommittedToEnd(broker, topics, [proc]);
      const verdict = await verdictOf(broker, topics, numbersUpTo(RECORDS));
      const transactions = transactionTotals(metricsFiles('eos-broker-kill'));
      printFigures('exactly-once-broker-sigkill', {
        records: RECORDS,
        ...verdictFigures(verdict),
        outage_s: seconds(outageMs),
        killed_mid_stream: midStream,
        tx_committed: transactions.committed,
        tx_aborted: transactions.aborted,
        node_warnings: nodeWarnings(proc).length,
        scenario_s: seconds(Date.now() - started),
      });
      should(midStream).be.true('the broker died after the group had committed everything');
      assertExactlyOnce(verdict);
    });
  });

  it('c) 40 full deploys while records arrive at 400 records/s: every record exactly once in B and C', async () => {
    const started = Date.now();
    const deploys = 40;
    const broker = sharedBroker();
    const topics = await newTopics(broker, 'eos-storm');
    const name = 'eos-storm';
    const { proc, flowOptions } = await start(broker, topics, name, { run: `${name}-0` });
    const connected = async (): Promise<void> => {
      await waitFor(
        async () => (await nodeStatus(proc, 'trigger1'))?.startsWith('connected'),
        60000,
        'connected',
      );
    };
    await connected();
    // 40 records every 100 ms, idempotent so that a retried send never puts a number twice in A.
    const producer = startSequenceProducer(broker, topics.source, {
      batchSize: 40,
      everyMs: 100,
      durationMs: 120000,
      partitions: PARTITIONS,
      idempotent: true,
    });
    const stormStarted = Date.now();
    const deployMs: number[] = [];
    // Each deploy's trigger writes its metrics to a file of its own, from zero.
    const deployMetrics = (deploy: number): string =>
      deploy === 0
        ? flowOptions.metricsFile
        : flowOptions.metricsFile.replace(/\.jsonl$/, `-${deploy}.jsonl`);
    for (let deploy = 1; deploy <= deploys; deploy += 1) {
      // Each deploy tags its records with its own run; the function changes, a full deploy restarts all.
      const flow = exactlyOnceFlow(broker, topics, {
        ...flowOptions,
        run: `${name}-${deploy}`,
        metricsFile: deployMetrics(deploy),
      });
      const before = Date.now();
      await deployFlows(proc, flow, 'full');
      deployMs.push(Date.now() - before);
      // Every fourth deploy comes before the trigger has joined, so close also meets a trigger still starting.
      if (deploy % 4 !== 0) await connected();
    }
    const stormMs = Date.now() - stormStarted;
    producer.stop();
    await producer.done;

    await waitForCommittedToEnd(broker, topics, [proc]);
    const verdict = await verdictOf(broker, topics, producer.acknowledged);
    const transactions = transactionTotals(Array.from({ length: deploys + 1 }, (_, i) => deployMetrics(i)));
    printFigures('exactly-once-redeploy-storm', {
      records: producer.acknowledged.size,
      deploys,
      storm_s: seconds(stormMs),
      deploy_max_s: seconds(Math.max(...deployMs)),
      records_per_second: Math.round(producer.acknowledged.size / (stormMs / 1000)),
      ...verdictFigures(verdict),
      runs_in_b: new Set([...verdict.b.copies.values()].flat().map(({ run }) => run)).size,
      tx_committed: transactions.committed,
      tx_aborted: transactions.aborted,
      scenario_s: seconds(Date.now() - started),
    });
    assertExactlyOnce(verdict);
  });

  it('d) a member frozen past its session timeout is fenced: its late writes never reach B or C', async () => {
    const started = Date.now();
    const broker = sharedBroker();
    const topics = await newTopics(broker, 'eos-zombie');
    const names = ['eos-zombie-0', 'eos-zombie-1'];
    // 100 ms in the function, so a member always holds records it has not written yet.
    const procs = await Promise.all(
      names.map(async (name) => {
        const traceFile = path.join(workDir, `${name}.trace.jsonl`);
        const { proc } = await start(broker, topics, name, { clientId: name, delayMs: 100, traceFile });
        return { name, proc, traceFile };
      }),
    );
    const members = (await waitFor(
      async () => {
        const found = await groupMembers(broker, topics.group, topics.source);
        return found.length === 2 && found.every((member) => member.partitions.length > 0)
          ? found
          : undefined;
      },
      60000,
      'two members, each with partitions',
    ))!;
    await preloadSequence(broker, topics.source, RECORDS, PARTITIONS);

    const [zombie, survivor] = procs;
    const zombiePartitions = members.find((member) => member.clientId === zombie.name)!.partitions;
    const trace = (): TraceLine[] => readRecordedPayloads<TraceLine>(zombie.traceFile);
    /** The msgs the zombie has taken in and not yet sent on. */
    const held = (lines: TraceLine[]): Set<string> => {
      const open = new Set<string>();
      for (const { phase, msgid } of lines) {
        if (phase === 'in') open.add(msgid);
        else open.delete(msgid);
      }
      return open;
    };
    await waitForOutput(broker, topics.b, RECORDS / 10);
    await waitFor(() => held(trace()).size > 0, 30000, 'the zombie to hold records');
    zombie.proc.child.kill('SIGSTOP');
    const frozenAt = Date.now();
    // Stopped, it writes no more lines: these are what it held when frozen.
    const traceAtFreeze = trace();
    const heldAtFreeze = held(traceAtFreeze);
    const committedAtFreeze = await committedOffsets(broker, topics.group, topics.source, PARTITIONS);

    try {
      await waitFor(
        async () => {
          const now = await groupMembers(broker, topics.group, topics.source);
          return (
            now.length === 1 && now[0].clientId === survivor.name && now[0].partitions.length === PARTITIONS
          );
        },
        SESSION_TIMEOUT_MS + 30000,
        'the survivor to own every partition',
      );
      const takeoverMs = Date.now() - frozenAt;
      // The survivor has fenced the zombie's producers and committed on the partitions it took over.
      await waitFor(
        async () => {
          const now = await committedOffsets(broker, topics.group, topics.source, PARTITIONS);
          const ended = await committedToEnd(broker, topics.group, topics.source);
          return ended || zombiePartitions.every((p) => now[p] > committedAtFreeze[p]);
        },
        60000,
        "the survivor to commit on the zombie's partitions",
      );
      const committedAtThaw = await committedOffsets(broker, topics.group, topics.source, PARTITIONS);
      zombie.proc.child.kill('SIGCONT');
      // Its timers fire: the records it held go on to kafka-produce, through its fenced producers.
      await waitFor(
        () => {
          const sent = new Set(
            trace()
              .filter(({ phase }) => phase === 'out')
              .map(({ msgid }) => msgid),
          );
          return [...heldAtFreeze].every((msgid) => sent.has(msgid));
        },
        30000,
        'the zombie to send on what it held',
      );
      await waitForCommittedToEnd(broker, topics, [zombie.proc, survivor.proc]);
      const verdict = await verdictOf(broker, topics, numbersUpTo(RECORDS));
      const lateWrites = [...verdict.b.copies.values(), ...verdict.c.copies.values()]
        .flat()
        .filter(({ msgid }) => heldAtFreeze.has(msgid));
      const transactions = transactionTotals(metricsFiles(...names));
      const zombieLog = nodeWarnings(zombie.proc);
      printFigures('exactly-once-zombie-fenced', {
        records: RECORDS,
        ...verdictFigures(verdict),
        zombie_partitions: zombiePartitions.join('.'),
        held_at_freeze: heldAtFreeze.size,
        late_writes_in_outputs: lateWrites.length,
        takeover_s: seconds(takeoverMs),
        committed_at_freeze: committedAtFreeze.join('/'),
        committed_at_thaw: committedAtThaw.join('/'),
        tx_committed: transactions.committed,
        tx_aborted: transactions.aborted,
        zombie_warnings: zombieLog.length,
        scenario_s: seconds(Date.now() - started),
      });
      if (zombieLog.length > 0) console.log(`zombie log:\n${zombieLog.slice(0, 10).join('\n')}`);
      should(heldAtFreeze.size).be.above(0);
      should(lateWrites.map(({ n, msgid }) => `${n} ${msgid}`)).eql([], "the zombie's late writes in B or C");
      assertExactlyOnce(verdict);
    } finally {
      zombie.proc.child.kill('SIGCONT');
    }
  });

  it('e) a record too large for B goes to the dead-letter topic; every other record exactly once', async () => {
    const started = Date.now();
    const broker = sharedBroker();
    // A record kept and not fanned out, so that it is only ever written to B.
    const oversized = 1501;
    const topics = await newTopics(broker, 'eos-too-large', 16384);
    await preloadSequence(broker, topics.source, RECORDS, PARTITIONS);

    const { proc } = await start(broker, topics, 'eos-too-large', { oversized });
    await waitForCommittedToEnd(broker, topics, [proc]);
    const verdict = await verdictOf(broker, topics, numbersUpTo(RECORDS), oversized);
    const transactions = transactionTotals(metricsFiles('eos-too-large'));
    printFigures('exactly-once-record-too-large', {
      records: RECORDS,
      ...verdictFigures(verdict),
      tx_committed: transactions.committed,
      tx_aborted: transactions.aborted,
      node_warnings: nodeWarnings(proc).length,
      scenario_s: seconds(Date.now() - started),
    });
    assertExactlyOnce(verdict, [oversized]);
  });
});
