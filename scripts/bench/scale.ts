// `npm run bench:scale`: many nodes on one broker node in one real Node-RED. BENCH_SCALE_NODES
// (default 100) kafka-triggers, each on its own topic and group, wired to as many kafka-produce
// nodes, all on one kafka-broker node; then the same with kafka-suite's consumer and producer
// nodes. For each: the deploy until every consumer has joined (their statuses, from the editor's
// comms), idle CPU, the Kafka requests sent and RSS over a window, the connections to the
// broker, a bounded load through every pair, and the close until every group is empty.
// See BENCHMARKS.md, section Scale.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { startLocalKafka, type LocalKafka } from '../kafka/local-kafka';
import { IpcChild, launchNodeRed } from './children';
import { fmt, log, mb } from './figures';
import { deploy, StatusWatch, waitForAdminApi } from './node-red-admin';
import { installPeer } from './peers';
import { cpuSeconds, establishedSocketsTo, residentMemory } from './process-stats';
import type { CounterMessage } from './request-counter';
import { kafkaSuiteFlow, productFlow, type ScaleFlow, type ScaleTopics } from './scale-flows';
import { snapshotCommit } from './snapshot';

const JOIN_TIMEOUT_MS = 10 * 60_000;
const LOAD_TIMEOUT_MS = 5 * 60_000;
const CLOSE_TIMEOUT_MS = 5 * 60_000;
const POLL_MS = 250;

interface ScaleSettings {
  nodes: number;
  idleSeconds: number;
  /** Idle time after the last consumer joined and before the idle window. */
  settleSeconds: number;
  recordsPerTopic: number;
  contenders: string[];
  /** Rounds of every contender, interleaved. */
  rounds: number;
  /** A commit built and measured beside the working tree, as contender `baseline`. */
  baseline: string | undefined;
  /** Where each Node-RED writes a V8 CPU profile, with the idle window beside it (bench/profile-summary.ts). */
  cpuProfDir: string | undefined;
}

interface Contender {
  id: string;
  label: string;
  /** node_modules entries for Node-RED; undefined: an empty Node-RED, no Kafka package. */
  modules?: Record<string, string>;
  flow?: (brokers: string, topics: ScaleTopics) => ScaleFlow;
}

interface ScaleRow {
  label: string;
  deployMs?: number;
  idleCpuPerMinute: number;
  requestsPerMinute: Record<string, number>;
  idleRss: number;
  connections: number;
  load?: { records: number; ms: number; cpuSeconds: number; peakRss: number };
  close?: { answeredMs: number; emptyMs: number; connectionsAfter: number };
  note?: string;
}

function readScaleSettings(): ScaleSettings {
  const number = (name: string, fallback: number): number => {
    const value = Number(process.env[name] ?? fallback);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0`);
    return value;
  };
  const baseline = process.env.BENCH_SCALE_BASELINE || undefined;
  const contenders = (
    process.env.BENCH_SCALE_CONTENDERS ?? `empty,product,${baseline ? 'baseline,' : ''}kafka-suite`
  )
    .split(',')
    .map((each) => each.trim())
    .filter((each) => each !== '');
  return {
    nodes: number('BENCH_SCALE_NODES', 100),
    idleSeconds: number('BENCH_SCALE_IDLE_SECONDS', 60),
    settleSeconds: number('BENCH_SCALE_SETTLE_SECONDS', 10),
    recordsPerTopic: number('BENCH_SCALE_RECORDS_PER_TOPIC', 100),
    contenders,
    rounds: number('BENCH_SCALE_ROUNDS', 1),
    baseline,
    cpuProfDir: process.env.BENCH_CPU_PROF_DIR || undefined,
  };
}

async function main(): Promise<void> {
  const settings = readScaleSettings();
  log(
    `scale: ${settings.nodes} consumer → producer pairs on one broker node; idle window ${settings.idleSeconds} s ` +
      `after ${settings.settleSeconds} s; load ${settings.recordsPerTopic} records per topic; ` +
      `contenders ${settings.contenders.join(',')} × ${settings.rounds}; load average ${loadAverage()}`,
  );
  if (settings.cpuProfDir) mkdirSync(settings.cpuProfDir, { recursive: true });
  const contenders: Contender[] = [];
  const notes: ScaleRow[] = [];
  for (const id of settings.contenders) {
    const contender = await prepare(id, settings);
    if ('failure' in contender) notes.push(emptyRow(id, contender.failure));
    else contenders.push(contender);
  }
  log('Starting the Kafka broker...');
  const broker = await startLocalKafka();
  process.once(
    'SIGINT',
    () => void Promise.all([live?.stop(), broker.destroy()]).finally(() => process.exit(130)),
  );
  const kafka = new Kafka({
    brokers: [broker.bootstrap],
    clientId: 'bench-scale-runner',
    logLevel: logLevel.ERROR,
    // Creating a hundred topics at once keeps a busy broker electing leaders for a while.
    retry: { retries: 10 },
  });
  const rows: ScaleRow[] = [];
  try {
    for (let round = 1; round <= settings.rounds; round += 1) {
      for (const contender of contenders) {
        const label = settings.rounds > 1 ? `${contender.label}, round ${round}` : contender.label;
        log(`${label}...`);
        const admin = kafka.admin();
        await admin.connect();
        try {
          rows.push({ ...(await measure(broker, admin, kafka, contender, settings)), label });
        } catch (error) {
          const note = `failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
          log(`  ${note}`);
          rows.push(emptyRow(label, note));
        } finally {
          await admin.disconnect();
        }
      }
    }
  } finally {
    await broker.destroy();
  }
  console.log('');
  console.log(renderScaleTable([...rows, ...notes], settings));
  console.log('');
  console.log(
    `date: ${new Date().toISOString()}; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}); ` +
      `node ${process.version}; kafka ${broker.version}; load average at the end ${loadAverage()}`,
  );
}

async function prepare(id: string, settings: ScaleSettings): Promise<Contender | { failure: string }> {
  switch (id) {
    case 'empty':
      return { id, label: 'Node-RED with no flows (reference)', modules: {} };
    case 'product':
      return { id, label: 'kafka-trigger + kafka-produce (working tree)', flow: productFlow };
    case 'baseline': {
      if (!settings.baseline) return { failure: 'set BENCH_SCALE_BASELINE to a commit' };
      log(`Building ${settings.baseline} in a temp dir...`);
      const snapshot = snapshotCommit(settings.baseline);
      process.once('exit', () => snapshot.remove());
      return {
        id,
        label: `kafka-trigger + kafka-produce (commit ${snapshot.commit})`,
        modules: { 'node-red-contrib-kafka-trigger': snapshot.dir },
        flow: productFlow,
      };
    }
    case 'kafka-suite': {
      log('Installing kafka-suite (bench/peers.ts)...');
      const installed = await installPeer('kafka-suite');
      if ('failure' in installed) return installed;
      return {
        id,
        label: 'kafka-suite 0.0.5 consumer + producer',
        modules: installed.modules,
        flow: kafkaSuiteFlow,
      };
    }
    default:
      return { failure: `unknown contender '${id}'` };
  }
}

let runs = 0;
/** The Node-RED process of the contender being measured, stopped on Ctrl-C. */
let live: IpcChild<CounterMessage> | undefined;

async function measure(
  broker: LocalKafka,
  admin: Admin,
  kafka: Kafka,
  contender: Contender,
  settings: ScaleSettings,
): Promise<ScaleRow> {
  runs += 1;
  const prefix = `scale-${process.pid}-${runs}`;
  const topics: ScaleTopics = {
    inputs: Array.from({ length: settings.nodes }, (_, index) => `${prefix}-in-${index}`),
    output: `${prefix}-out`,
    groups: Array.from({ length: settings.nodes }, (_, index) => `${prefix}-group-${index}`),
  };
  const flow = contender.flow?.(broker.bootstrap, topics);
  if (flow) {
    await admin.createTopics({
      topics: [...topics.inputs, topics.output].map((topic) => ({ topic, numPartitions: 1 })),
      waitForLeaders: true,
      timeout: 60_000,
    });
  }
  const launched = await launchNodeRed([], [], {
    modules: contender.modules,
    adminApi: true,
    preload: 'request-counter.ts',
    cpuProfDir: settings.cpuProfDir,
  });
  const child = new IpcChild<CounterMessage>(
    contender.id,
    launched.child,
    launched.logFile,
    launched.cleanUp,
  );
  live = child;
  const pid = launched.child.pid!;
  const port = Number(broker.bootstrap.split(':')[1]);
  let watch: StatusWatch | undefined;
  try {
    await waitForAdminApi(launched.baseUrl, () =>
      launched.child.exitCode !== null ? `code ${launched.child.exitCode}${child.logTail()}` : undefined,
    );
    watch = await StatusWatch.open(launched.baseUrl);
    let deployMs: number | undefined;
    if (flow) {
      const started = Date.now();
      await deploy(launched.baseUrl, flow.nodes);
      await watch.waitAll(flow.consumerIds, flow.joined, JOIN_TIMEOUT_MS);
      deployMs = Date.now() - started;
      log(`  deployed: all ${flow.consumerIds.length} consumers joined in ${fmt(deployMs)} ms`);
    }
    await sleep(settings.settleSeconds * 1000);
    const idleFromUs = hrUs();
    const idle = await idleWindow(child, pid, settings.idleSeconds);
    if (settings.cpuProfDir) {
      const window = { firstHrUs: idleFromUs, lastHrUs: hrUs() };
      writeFileSync(path.join(settings.cpuProfDir, `window-${pid}.json`), JSON.stringify(window));
    }
    const connections = establishedSocketsTo(port, pid);
    const idleRss = residentMemory(pid).rss;
    log(
      `  idle: ${idle.cpuPerMinute.toFixed(2)} CPU s/min, RSS ${mb(idleRss)}, ${connections} connections, ` +
        `requests/min ${requestList(idle.requestsPerMinute)}`,
    );
    const row: ScaleRow = {
      label: contender.label,
      deployMs,
      idleCpuPerMinute: idle.cpuPerMinute,
      requestsPerMinute: idle.requestsPerMinute,
      idleRss,
      connections,
    };
    if (!flow) return row;
    row.load = await underLoad(admin, kafka, topics, pid, settings.recordsPerTopic);
    log(
      `  load: ${fmt(row.load.records)} records through in ${fmt(row.load.ms)} ms, ` +
        `${row.load.cpuSeconds.toFixed(2)} CPU s, peak RSS ${mb(row.load.peakRss)}`,
    );
    row.close = await closeAll(launched.baseUrl, admin, topics.groups, port, pid);
    log(
      `  closed: deploy of an empty flow answered in ${fmt(row.close.answeredMs)} ms, every group empty ` +
        `after ${fmt(row.close.emptyMs)} ms, ${row.close.connectionsAfter} connections left`,
    );
    return row;
  } finally {
    watch?.close();
    await child.stop();
    live = undefined;
  }
}

/** CPU seconds and Kafka requests per minute over `seconds` of idling. */
async function idleWindow(
  child: IpcChild<CounterMessage>,
  pid: number,
  seconds: number,
): Promise<{ cpuPerMinute: number; requestsPerMinute: Record<string, number> }> {
  const countsBefore = await requestCounts(child);
  const cpuBefore = cpuSeconds(pid);
  const started = Date.now();
  await sleep(seconds * 1000);
  const cpuAfter = cpuSeconds(pid);
  const minutes = (Date.now() - started) / 60_000;
  const countsAfter = await requestCounts(child);
  const requestsPerMinute: Record<string, number> = {};
  for (const [name, count] of Object.entries(countsAfter)) {
    const sent = count - (countsBefore[name] ?? 0);
    if (sent > 0) requestsPerMinute[name] = sent / minutes;
  }
  return { cpuPerMinute: (cpuAfter - cpuBefore) / minutes, requestsPerMinute };
}

async function requestCounts(child: IpcChild<CounterMessage>): Promise<Record<string, number>> {
  child.request({ type: 'request-counts' });
  return (await child.next('request-counts', 30_000)).counts;
}

/** Writes `perTopic` records to every input topic and waits until the output topic holds them all. */
async function underLoad(
  admin: Admin,
  kafka: Kafka,
  topics: ScaleTopics,
  pid: number,
  perTopic: number,
): Promise<NonNullable<ScaleRow['load']>> {
  const records = perTopic * topics.inputs.length;
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const cpuBefore = cpuSeconds(pid);
  const started = Date.now();
  try {
    await producer.sendBatch({
      acks: -1,
      topicMessages: topics.inputs.map((topic) => ({
        topic,
        messages: Array.from({ length: perTopic }, (_, index) => ({
          value: JSON.stringify({ topic, index }),
        })),
      })),
    });
  } finally {
    await producer.disconnect();
  }
  const deadline = started + LOAD_TIMEOUT_MS;
  let arrived = 0;
  while ((arrived = await recordsOn(admin, topics.output)) < records) {
    if (Date.now() > deadline)
      throw new Error(
        `${arrived} of ${records} records reached ${topics.output} within ${LOAD_TIMEOUT_MS} ms`,
      );
    await sleep(POLL_MS);
  }
  return {
    records,
    ms: Date.now() - started,
    cpuSeconds: cpuSeconds(pid) - cpuBefore,
    peakRss: residentMemory(pid).highWater,
  };
}

async function recordsOn(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
}

/** Deploys an empty flow and waits until no group has a member left. */
async function closeAll(
  baseUrl: string,
  admin: Admin,
  groups: string[],
  port: number,
  pid: number,
): Promise<NonNullable<ScaleRow['close']>> {
  const started = Date.now();
  await deploy(baseUrl, []);
  const answeredMs = Date.now() - started;
  const deadline = started + CLOSE_TIMEOUT_MS;
  for (;;) {
    const { groups: described } = await admin.describeGroups(groups);
    if (described.every((group) => group.members.length === 0)) break;
    if (Date.now() > deadline)
      throw new Error(`groups still have members ${CLOSE_TIMEOUT_MS} ms after the close`);
    await sleep(POLL_MS);
  }
  return { answeredMs, emptyMs: Date.now() - started, connectionsAfter: establishedSocketsTo(port, pid) };
}

/** The monotonic clock in µs, as the Node-RED process's --cpu-prof samples are timed. */
function hrUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function emptyRow(label: string, note: string): ScaleRow {
  return { label, idleCpuPerMinute: NaN, requestsPerMinute: {}, idleRss: NaN, connections: NaN, note };
}

function requestList(perMinute: Record<string, number>): string {
  const entries = Object.entries(perMinute).sort(([, a], [, b]) => b - a);
  return entries.length > 0 ? entries.map(([name, count]) => `${name} ${fmt(count)}`).join(', ') : 'none';
}

function renderScaleTable(rows: ScaleRow[], settings: ScaleSettings): string {
  const header = [
    'contender',
    `deploy until all ${settings.nodes} consumers joined, s`,
    `idle CPU, s per min (${settings.idleSeconds} s window)`,
    'idle Kafka requests per min',
    'idle RSS',
    'connections to the broker',
    `load: ${fmt(settings.recordsPerTopic * settings.nodes)} records through every pair, s; CPU s; peak RSS`,
    'close (deploy of an empty flow): answered, s; all groups empty, s',
    'notes',
  ];
  const seconds = (ms: number | undefined): string => (ms === undefined ? '–' : (ms / 1000).toFixed(1));
  const lines = rows.map((row) => [
    row.label,
    seconds(row.deployMs),
    Number.isNaN(row.idleCpuPerMinute) ? '–' : row.idleCpuPerMinute.toFixed(2),
    Number.isNaN(row.idleCpuPerMinute) ? '–' : requestList(row.requestsPerMinute),
    Number.isNaN(row.idleRss) ? '–' : mb(row.idleRss),
    Number.isNaN(row.connections) ? '–' : String(row.connections),
    row.load ? `${seconds(row.load.ms)}; ${row.load.cpuSeconds.toFixed(2)}; ${mb(row.load.peakRss)}` : '–',
    row.close ? `${seconds(row.close.answeredMs)}; ${seconds(row.close.emptyMs)}` : '–',
    (row.note ?? '').replace(/\|/g, '\\|'),
  ]);
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(', ');
}

main().catch((error: unknown) => {
  console.error(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
