// The produce part of `npm run bench`: records/s and produce-to-ack latency of the kafka-produce
// node in a real Node-RED, against a plain kafkajs producer writing the same records (acks all),
// each run on a fresh topic. See BENCHMARKS.md, section kafka-produce.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTopic, type LocalKafka } from '../kafka/local-kafka';
import { withAdmin } from '../kafka/topics';
import { IpcChild, ROOT, launchNodeRed, type BenchNodeFile } from './children';
import { fmt, log, mb, median, ms, percentiles } from './figures';
import type { ProbeReport } from './nodes/lib/probe';
import type { ProduceMessage, ProduceRun } from './nodes/lib/produce-run';
import type { RawMethod, RawWorkerConfig } from './produce-worker';
import type { BenchSettings } from './settings';

const WARM_UP_SECONDS = 2;
const LATENCY_SETTLE_MS = 15_000;

/** A writer the part measures: raw kafkajs one way or the other, or the node in Node-RED. */
interface Side {
  id: string;
  raw?: RawMethod;
  /** product: the package linked into Node-RED (default: this checkout or BENCH_COMMIT's build). */
  packageDir?: string;
}

interface ThroughputResult {
  side: string;
  valueBytes: number;
  records: number;
  rate: number;
  report: ProbeReport;
  /** Records on the topic after the run (end offsets) and how many were written, warm-up included. */
  onTopic: number;
  written: number;
}

interface LatencyResult {
  side: string;
  valueBytes: number;
  achieved: number;
  measured: number;
  report: ProbeReport;
}

export interface ProduceResults {
  throughput: ThroughputResult[];
  latency: LatencyResult[];
}

type WriterProcess = IpcChild<ProduceMessage>;

const BENCH_PRODUCE: BenchNodeFile = {
  source: 'bench-produce.ts',
  html:
    '<script type="text/javascript">' +
    'RED.nodes.registerType("bench-source", { category: "input", defaults: {}, inputs: 0, outputs: 1 });' +
    'RED.nodes.registerType("bench-acks", { category: "output", defaults: {}, inputs: 1, outputs: 0 });' +
    '</script>\n',
};

let runId = 0;

export async function runProducePart(
  broker: LocalKafka,
  settings: BenchSettings,
  live: Set<{ stop(): Promise<void> }>,
): Promise<ProduceResults> {
  const produce = settings.produce;
  const results: ProduceResults = { throughput: [], latency: [] };
  const all: Side[] = [
    { id: 'raw-window', raw: 'window' },
    { id: 'raw-batched', raw: 'batched' },
    { id: 'product', packageDir: settings.packageDir },
  ];
  const sides = all.filter((side) => produce.sides.includes(side.id));
  sides.push(...produce.variants.map((variant) => ({ id: variant.label, packageDir: variant.dir })));
  const run = async <T>(
    side: Side,
    topic: string,
    produceRun: ProduceRun,
    use: (child: WriterProcess) => Promise<T>,
  ) => {
    const child = await startWriter(broker, settings, side, topic, produceRun);
    live.add(child);
    try {
      await child.next('ready', 60_000);
      return await use(child);
    } finally {
      await child.stop();
      live.delete(child);
    }
  };

  if (settings.phases.includes('throughput')) {
    for (let round = 1; round <= produce.rounds; round += 1) {
      for (const { valueBytes, records: all } of produce.sizes) {
        for (const side of sides) {
          const records = side.raw === 'window' ? Math.ceil(all * produce.rawWindowShare) : all;
          const topic = await freshTopic(broker, produce.partitions, `${side.id}-${valueBytes}`);
          const produceRun: ProduceRun = {
            mode: 'throughput',
            records,
            valueBytes,
            warmUpRecords: produce.warmUpRecords,
            rate: 0,
            warmUpSeconds: 0,
            seconds: 0,
          };
          const result = await run(side, topic, produceRun, async (child) => {
            child.request({ type: 'start' });
            const started = await succeeded(child.next(['started', 'failed'], 120_000));
            const done = await succeeded(child.next(['drained', 'failed'], Math.max(180_000, records)));
            if (settings.cpuProfDir && child.pid !== undefined) {
              const window = { firstHrUs: done.report.firstHrUs, lastHrUs: done.report.lastHrUs };
              writeFileSync(
                path.join(settings.cpuProfDir, `window-${child.pid}.json`),
                JSON.stringify(window),
              );
            }
            return { started: started.at, report: done.report };
          });
          const onTopic = await recordsOn(broker, topic);
          await deleteTopic(broker, topic);
          const written = records + produce.warmUpRecords;
          const rate = (records / (result.report.lastAt - result.started)) * 1000;
          results.throughput.push({
            side: side.id,
            valueBytes,
            records,
            rate,
            report: result.report,
            onTopic,
            written,
          });
          log(
            `  round ${round} ${size(valueBytes).padEnd(6)} ${side.id.padEnd(11)} ${fmt(rate).padStart(9)} records/s  ` +
              `${cpuPerRecord(result.report).toFixed(2)} µs CPU/record  peak RSS ${mb(result.report.peakRss)}  ` +
              `on the topic ${onTopic}/${written}`,
          );
        }
      }
    }
  }

  if (settings.phases.includes('latency')) {
    for (const { valueBytes } of produce.sizes) {
      for (const side of sides.filter((each) => each.raw !== 'batched')) {
        const topic = await freshTopic(broker, produce.partitions, `${side.id}-${valueBytes}`);
        const produceRun: ProduceRun = {
          mode: 'latency',
          records: 0,
          valueBytes,
          warmUpRecords: 0,
          rate: produce.rate,
          warmUpSeconds: WARM_UP_SECONDS,
          seconds: produce.latencySeconds,
        };
        const result = await run(side, topic, produceRun, async (child) => {
          child.request({ type: 'start' });
          const timeout = (WARM_UP_SECONDS + produce.latencySeconds) * 1000 + 60_000;
          const sent = await succeeded(child.next(['sent', 'failed'], timeout));
          const report = async (): Promise<ProbeReport> => {
            child.request({ type: 'report' });
            return (await child.next('report', 30_000)).report;
          };
          const settleDeadline = Date.now() + LATENCY_SETTLE_MS;
          let last = await report();
          while (last.count < sent.measured && Date.now() < settleDeadline) {
            await sleep(200);
            last = await report();
          }
          return { side: side.id, valueBytes, achieved: sent.rate, measured: sent.measured, report: last };
        });
        await deleteTopic(broker, topic);
        results.latency.push(result);
        const [p50, p99, max] = percentiles(result.report.latencies);
        log(
          `  ${produce.rate}/s ${size(valueBytes).padEnd(6)} ${side.id.padEnd(11)} (achieved ${fmt(result.achieved)}/s, ` +
            `${result.report.count}/${result.measured} acked) p50 ${ms(p50)} p99 ${ms(p99)} max ${ms(max)}`,
        );
      }
    }
  }
  return results;
}

async function startWriter(
  broker: LocalKafka,
  settings: BenchSettings,
  side: Side,
  topic: string,
  run: ProduceRun,
): Promise<WriterProcess> {
  const produce = settings.produce;
  if (side.raw) {
    const config: RawWorkerConfig = {
      brokers: broker.bootstrap,
      topic,
      run,
      method: side.raw,
      window: produce.rawWindow,
      batchRecords: produce.rawBatchRecords,
      batchBytes: produce.rawBatchBytes,
      inFlight: produce.rawInFlight,
    };
    const profiling =
      run.mode === 'throughput' && settings.cpuProfDir
        ? ['--cpu-prof', '--cpu-prof-dir', settings.cpuProfDir]
        : [];
    const worker = path.join(__dirname, 'produce-worker.ts');
    const child = spawn(process.execPath, [...profiling, '--import', 'tsx', worker], {
      cwd: ROOT,
      env: { ...process.env, BENCH_WORKER: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new IpcChild<ProduceMessage>(side.id, child, undefined, () => undefined);
  }
  const tab = 'bench-tab';
  const flow = [
    { id: tab, type: 'tab', label: 'kafka-produce bench' },
    {
      id: 'bench-broker',
      type: 'kafka-broker',
      name: '',
      brokers: broker.bootstrap,
      client_id: 'bench-produce',
    },
    { id: 'source', type: 'bench-source', z: tab, run, window: produce.window, wires: [['produce']] },
    {
      id: 'produce',
      type: 'kafka-produce',
      z: tab,
      name: '',
      version: 1,
      broker: 'bench-broker',
      topic,
      key: '',
      acks: 'all',
      compression: 'none',
      send_timeout: 30000,
      wires: [['acks']],
    },
    { id: 'catch', type: 'catch', z: tab, scope: ['produce'], uncaught: false, wires: [['acks']] },
    { id: 'acks', type: 'bench-acks', z: tab, mode: run.mode, expected: run.records, wires: [] },
  ];
  const profile = run.mode === 'throughput' ? settings.cpuProfDir : undefined;
  const launched = await launchNodeRed(flow, [BENCH_PRODUCE], {
    ...(side.packageDir ? { packageDir: side.packageDir } : {}),
    ...(profile ? { cpuProfDir: profile } : {}),
  });
  return new IpcChild<ProduceMessage>(side.id, launched.child, launched.logFile, launched.cleanUp);
}

/** The message, unless the writer said a record failed. */
export async function succeeded<M extends ProduceMessage>(
  message: Promise<M | Extract<ProduceMessage, { type: 'failed' }>>,
): Promise<M> {
  const received = await message;
  if (received.type === 'failed') throw new Error(`a record was not written: ${received.error}`);
  return received;
}

/** A new topic of `partitions` partitions, its name unique in the run and ending in `label`. */
export async function freshTopic(broker: LocalKafka, partitions: number, label: string): Promise<string> {
  runId += 1;
  const topic = `bench-produce-${process.pid}-${runId}-${label}`;
  try {
    await createTopic(broker, topic, partitions);
  } catch (error) {
    // kafkajs's wait for leaders sometimes asks the broker before it hosts the new partitions
    // (UNKNOWN_TOPIC_OR_PARTITION) and gives up: the topic is there, wait for its leaders here.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ready = await withAdmin(broker, (admin) => admin.fetchTopicMetadata({ topics: [topic] })).then(
        ({ topics }) =>
          topics[0]?.partitions.length === partitions &&
          topics[0].partitions.every((partition) => partition.leader >= 0),
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
  return topic;
}

export async function recordsOn(broker: LocalKafka, topic: string): Promise<number> {
  const offsets = await withAdmin(broker, (admin) => admin.fetchTopicOffsets(topic));
  return offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
}

/** The large-value topics hold hundreds of MB each: not kept for the rest of the run. */
export async function deleteTopic(broker: LocalKafka, topic: string): Promise<void> {
  await withAdmin(broker, (admin) => admin.deleteTopics({ topics: [topic] })).catch(() => undefined);
}

export function renderProduceTable(results: ProduceResults, settings: BenchSettings): string {
  const produce = settings.produce;
  const variants = produce.variants.map((variant) => variant.label);
  const rows: string[][] = [];
  const of = (side: string, valueBytes: number): ThroughputResult[] =>
    results.throughput.filter((result) => result.side === side && result.valueBytes === valueBytes);
  const rate = (list: ThroughputResult[]): number => median(list.map((result) => result.rate));
  const rates = (list: ThroughputResult[]): string =>
    list.length === 0 ? '' : `${fmt(rate(list))} (${list.map((result) => fmt(result.rate)).join(', ')})`;
  const cpuOf = (list: ThroughputResult[]): number =>
    median(list.map((result) => cpuPerRecord(result.report)));
  const cpu = (list: ThroughputResult[]): string =>
    list.length === 0
      ? ''
      : `${cpuOf(list).toFixed(2)} ` +
        `(${list.map((result) => cpuPerRecord(result.report).toFixed(2)).join(', ')})`;
  const memory = (list: ThroughputResult[]): string =>
    list.length === 0
      ? ''
      : `${mb(Math.max(...list.map((result) => Math.max(result.report.peakRss, result.report.rssHighWater))))} / ` +
        `${mb(Math.max(...list.map((result) => result.report.peakHeapUsed)))}`;
  const ratio = (b: ThroughputResult[], a: ThroughputResult[]): string =>
    b.length > 0 && a.length > 0 ? (rate(b) / rate(a)).toFixed(2) : '';

  for (const { valueBytes, records } of produce.sizes) {
    const a1 = of('raw-window', valueBytes);
    const a2 = of('raw-batched', valueBytes);
    const b = of('product', valueBytes);
    if (a1.length + a2.length + b.length === 0) continue;
    const a1Records = a1[0]?.records;
    rows.push([
      `${size(valueBytes)} values, ${fmt(records)} records` +
        (a1Records !== undefined && a1Records !== records ? ` (a1: ${fmt(a1Records)})` : '') +
        `, acks all: records/s, median (each round)`,
      rates(a1),
      rates(a2),
      rates(b),
      ratio(b, a1),
      `**${ratio(b, a2)}**`,
    ]);
    const cpuRatio = (a: ThroughputResult[]): string =>
      a.length > 0 && b.length > 0 ? `${(cpuOf(a) / cpuOf(b)).toFixed(2)} (a/b)` : '';
    rows.push([
      `${size(valueBytes)}: CPU µs per record of the writing process`,
      cpu(a1),
      cpu(a2),
      cpu(b),
      cpuRatio(a1),
      cpuRatio(a2),
    ]);
    rows.push([`${size(valueBytes)}: peak RSS / heap used`, memory(a1), memory(a2), memory(b), '', '']);
    for (const label of variants) {
      const variant = of(label, valueBytes);
      rows.push([
        `${size(valueBytes)}: b'. ${label}, records/s; CPU µs/record`,
        '',
        '',
        `${rates(variant)}; ${cpu(variant)}`,
        ratio(variant, a1),
        ratio(variant, a2),
      ]);
    }
  }
  for (const { valueBytes } of produce.sizes) {
    const bySide = (side: string): string => {
      const result = results.latency.find((entry) => entry.side === side && entry.valueBytes === valueBytes);
      if (!result) return '';
      const [p50, p99, max] = percentiles(result.report.latencies);
      const lost = result.measured - result.report.count;
      return `${ms(p50)} / ${ms(p99)} / ${ms(max)}` + (lost > 0 ? ` (${lost} not acked)` : '');
    };
    if (!results.latency.some((entry) => entry.valueBytes === valueBytes)) continue;
    rows.push([
      `produce-to-ack latency at ${produce.rate} records/s for ${produce.latencySeconds} s, ${size(valueBytes)}, p50 / p99 / max ms`,
      bySide('raw-window'),
      '',
      bySide('product'),
      '',
      '',
    ]);
    for (const label of variants)
      rows.push([`${size(valueBytes)}: latency, b'. ${label}`, '', '', bySide(label), '', '']);
  }
  const header = [
    'measure',
    `a1. kafkajs: send() per record, ${produce.rawWindow} in flight`,
    `a2. kafkajs: send() of batches of ≤ ${fmt(produce.rawBatchRecords)} records / ≤ ${fmt(produce.rawBatchBytes)} B, ${produce.rawInFlight} in flight`,
    'b. product: Node-RED kafka-produce',
    'b/a1',
    'b/a2',
  ];
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  const short = results.throughput.filter((result) => result.onTopic !== result.written);
  lines.push('');
  lines.push(
    short.length === 0
      ? `records on the topics after each throughput run (end offsets): all ${results.throughput.length} runs as written`
      : `records on the topics differ from those written: ${short
          .map((result) => `${result.side} ${size(result.valueBytes)} ${result.onTopic}/${result.written}`)
          .join(', ')}`,
  );
  return lines.join('\n');
}

function cpuPerRecord(report: ProbeReport): number {
  return report.count > 0 ? report.cpuUs / report.count : NaN;
}

function size(bytes: number): string {
  return bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`;
}
