// `npm run bench`: the throughput, latency and memory of the kafka-trigger in a real Node-RED,
// against a plain kafkajs consumer on the same broker and backlog; then the kafka-produce node
// against a plain kafkajs producer (bench/produce.ts). See BENCHMARKS.md.
// Settings come from the environment (bench/settings.ts); BENCH_QUICK=1 is a short run,
// BENCH_PART=consume, produce, formats or exactly-once (a topic-to-topic pipeline with exactly-once
// delivery beside complete delivery, bench/exactly-once.ts) runs one part (a comma list runs
// several); BENCH_PART=peers
// (never part of `all`) drains one backlog with this package, the other Node-RED Kafka packages and
// kcat (bench/peers.ts).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTopic, startLocalKafka, type LocalKafka } from '../kafka/local-kafka';
import { ROOT, startCeiling, startNodeRed, type ConsumerProcess } from './children';
import { fmt, log, mb, median, ms, percentiles } from './figures';
import type { ProbeReport } from './nodes/lib/probe';
import { renderExactlyOnceTable, runExactlyOncePart } from './exactly-once';
import { renderFormatsTable, runFormatsPart } from './formats';
import { renderPeersTable, runPeersPart } from './peers';
import { renderProduceTable, runProducePart } from './produce';
import { renderFlowTable, runProduceFlow } from './produce-flow';
import { preload, steadyStream, withProducer } from './producer';
import { snapshotCommit } from './snapshot';
import {
  readSettings,
  type BenchSettings,
  type ConsumeSide,
  type FetchOptions,
  type Variant,
  type WorkerConfig,
} from './settings';

const BACKLOG_TOPIC = 'bench-backlog';
const LATENCY_TOPIC = 'bench-latency';
const WARM_UP_AFTER_FIRST_MS = 2000;
const LATENCY_SETTLE_MS = 15_000;

/** ceiling: kafkajs with the product's fetch sizes; tuned: kafkajs with larger fetches. */
/** `batch` is the product with batch output. */
type Side = ConsumeSide;

interface DrainResult {
  side: Side;
  /** A BENCH_CONSUME_VARIANTS copy of the package measured as the product side. */
  variant?: string;
  rate: number;
  report: ProbeReport;
}

interface LatencyResult {
  side: Side;
  target: number;
  achieved: number;
  measured: number;
  report: ProbeReport;
}

interface Results {
  drains: DrainResult[];
  slow: DrainResult | undefined;
  latencies: LatencyResult[];
}

let runId = 0;
const live = new Set<{ stop(): Promise<void> }>();

async function main(): Promise<void> {
  const settings = readSettings();
  let measured = 'the working tree';
  if (settings.commit) {
    log(`Building commit ${settings.commit} in a temp dir...`);
    const snapshot = snapshotCommit(settings.commit);
    process.once('exit', () => snapshot.remove());
    settings.packageDir = snapshot.dir;
    measured = `commit ${snapshot.commit}`;
  } else if (settings.packageDir) {
    measured = 'the package in BENCH_PACKAGE_DIR';
  } else {
    const dirty = git(['status', '--porcelain', '--', 'src']) !== '';
    measured = `the working tree at ${git(['rev-parse', '--short', 'HEAD'])}${dirty ? ' with src modified' : ''}`;
  }
  const consume = settings.parts.includes('consume');
  const produce = settings.parts.includes('produce');
  const formats = settings.parts.includes('formats');
  if (consume)
    log(
      `consume: records=${settings.records} value≈${settings.valueBytes} B partitions=${settings.partitions} ` +
        `rounds=${settings.rounds} rates=${settings.rates.join(',')}/s for ${settings.latencySeconds} s ` +
        `slow=${settings.slowMs} ms phases=${settings.phases.join(',')}` +
        (settings.packageDir ? ` package=${settings.packageDir}` : ''),
    );
  if (produce) {
    const p = settings.produce;
    log(
      `produce: ${p.sizes.map((each) => `${each.records} × ${each.valueBytes} B`).join(', ')} ` +
        `partitions=${p.partitions} rounds=${p.rounds} warm-up=${p.warmUpRecords} window=${p.window} ` +
        `raw window=${p.rawWindow} raw batches ≤${p.rawBatchRecords} records/≤${p.rawBatchBytes} B × ${p.rawInFlight} ` +
        `latency ${p.rate}/s for ${p.latencySeconds} s` +
        (p.variants.length > 0 ? ` variants=${p.variants.map((variant) => variant.label).join(',')}` : ''),
    );
    log(
      `produce flow: ${p.flow.records} × ${p.flow.valueBytes} B in bursts of ${p.flow.burst} ` +
        `(≤${p.flow.burstsInFlight} unacknowledged), partitions=${p.flow.partitions} rounds=${p.flow.rounds} ` +
        `sides=${p.flow.sides.join(',')}`,
    );
  }
  const exactlyOnce = settings.parts.includes('exactly-once');
  if (exactlyOnce) {
    const e = settings.exactlyOnce;
    log(
      `exactly-once: records=${e.records} value≈${settings.valueBytes} B partitions=${settings.partitions} ` +
        `rounds=${e.rounds} latency ${e.rate}/s for ${e.latencySeconds} s ` +
        `transaction_interval=${e.transactionIntervals.length > 0 ? e.transactionIntervals.join(',') : 'default'}` +
        (settings.maxInFlight ? ` max_in_flight=${settings.maxInFlight}` : ''),
    );
  }
  const peers = settings.parts.includes('peers');
  if (peers)
    log(
      `peers: records=${settings.peers.records} value≈${settings.valueBytes} B partitions=${settings.partitions} ` +
        `rounds=${settings.peers.rounds} bounds: first record ${settings.peers.firstRecordSeconds} s, ` +
        `drain ${settings.peers.drainSeconds} s` +
        (settings.peers.contenders ? ` contenders=${settings.peers.contenders.join(',')}` : '') +
        ` counted by ${settings.peers.downstreams.join(',')}`,
    );
  log(`load average at the start: ${loadAverage()}`);
  if (settings.cpuProfDir) mkdirSync(settings.cpuProfDir, { recursive: true });
  log('Starting the Kafka broker...');
  const broker = await startLocalKafka(settings.kafkaVersion ? { version: settings.kafkaVersion } : {});
  const stopAll = async (): Promise<void> => {
    await Promise.all([...live].map((child) => child.stop().catch(() => undefined)));
    await broker.destroy();
  };
  process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));
  try {
    const tables: string[] = [];
    if (consume) {
      const results = await runPhases(broker, settings);
      tables.push(renderTable(results, settings));
    }
    if (produce && (settings.phases.includes('throughput') || settings.phases.includes('latency'))) {
      log('kafka-produce against a kafkajs producer...');
      const results = await runProducePart(broker, settings, live);
      tables.push(renderProduceTable(results, settings));
    }
    if (produce && settings.phases.includes('flow')) {
      log('kafka-produce in a flow of function nodes against kafkajs batches...');
      tables.push(renderFlowTable(await runProduceFlow(broker, settings, live), settings));
    }
    if (formats) {
      log('kafka-trigger on Avro through the Schema Registry beside JSON...');
      tables.push(renderFormatsTable(await runFormatsPart(broker, settings, live), settings));
    }
    if (exactlyOnce) {
      log('a topic-to-topic pipeline with exactly-once delivery beside complete delivery...');
      tables.push(renderExactlyOnceTable(await runExactlyOncePart(broker, settings, live), settings));
    }
    if (peers) {
      log('kafka-trigger against the other Node-RED Kafka packages and kcat...');
      const rows = await runPeersPart(broker, settings, live);
      tables.push(renderPeersTable(rows, settings));
    }
    for (const table of tables) {
      console.log('');
      console.log(table);
    }
    console.log('');
    console.log(renderMachine(broker, measured));
  } finally {
    await stopAll();
  }
}

async function runPhases(broker: LocalKafka, settings: BenchSettings): Promise<Results> {
  const results: Results = { drains: [], slow: undefined, latencies: [] };
  const needsBacklog = settings.phases.includes('throughput') || settings.phases.includes('memory');
  if (needsBacklog) {
    await createTopic(broker, BACKLOG_TOPIC, settings.partitions);
    log(`Preloading ${settings.records} records into ${BACKLOG_TOPIC}...`);
    const rate = await preload(broker.bootstrap, BACKLOG_TOPIC, settings.records, settings.valueBytes);
    log(`  preloaded at ${fmt(rate)} records/s`);
  }
  if (settings.phases.includes('throughput')) {
    for (let round = 1; round <= settings.rounds; round += 1) {
      const runs: { side: Side; variant?: Variant }[] = [
        ...settings.consumeSides.map((side) => ({ side })),
        ...settings.consumeVariants.map((variant) => ({
          side: variant.complete ? ('complete' as const) : ('product' as const),
          variant,
        })),
      ];
      for (const { side, variant } of runs) {
        const result = await drain(broker, settings, side, 0, variant);
        results.drains.push(result);
        log(
          `  round ${round} ${(variant?.label ?? side).padEnd(7)} ${fmt(result.rate).padStart(9)} records/s  ` +
            `${cpuPerRecord(result.report).toFixed(2)} µs CPU/record  ` +
            `peak RSS ${mb(result.report.peakRss)} heap ${mb(result.report.peakHeapUsed)}`,
        );
      }
    }
  }
  if (settings.phases.includes('memory')) {
    log(`Draining with a slow downstream node (${settings.slowMs} ms per message, one at a time)...`);
    const result = await drain(broker, settings, 'product', settings.slowMs);
    results.slow = result;
    log(
      `  handed off at ${fmt(result.rate)} records/s, peak RSS ${mb(result.report.peakRss)} heap ` +
        `${mb(result.report.peakHeapUsed)}, ${result.report.peakQueued} messages waiting at most`,
    );
  }
  if (settings.phases.includes('latency')) {
    await createTopic(broker, LATENCY_TOPIC, settings.partitions);
    for (const rate of settings.rates) {
      for (const side of ['ceiling', 'product', 'batch'] as const) {
        const result = await latency(broker, settings, side, rate);
        results.latencies.push(result);
        const [p50, p99, max] = percentiles(result.report.latencies);
        log(
          `  ${rate}/s ${side.padEnd(7)} (achieved ${fmt(result.achieved)}/s, ${result.report.count}/${result.measured} arrived) ` +
            `p50 ${ms(p50)} p99 ${ms(p99)} max ${ms(max)}`,
        );
      }
    }
  }
  return results;
}

function workerConfig(
  broker: LocalKafka,
  settings: BenchSettings,
  topic: string,
  side: Side,
  extra: Partial<WorkerConfig>,
): WorkerConfig {
  runId += 1;
  return {
    ...(side === 'tuned' ? { fetch: settings.tunedFetch } : {}),
    brokers: broker.bootstrap,
    topic,
    groupId: `bench-${side}-${process.pid}-${runId}`,
    startFrom: 'earliest',
    mode: 'drain',
    expected: 0,
    ...extra,
  };
}

async function start(
  side: Side,
  config: WorkerConfig,
  settings: BenchSettings,
  slowMs = 0,
  packageDir = settings.packageDir,
): Promise<ConsumerProcess> {
  const child =
    side === 'ceiling' || side === 'tuned'
      ? startCeiling(config)
      : await startNodeRed(config, {
          packageDir,
          cpuProfDir: slowMs === 0 && config.mode === 'drain' ? settings.cpuProfDir : undefined,
          slowMs,
          triggerProps: triggerPropsOf(side, settings),
        });
  live.add(child);
  return child;
}

/** The trigger's settings of each product side; the delivery is explicit, whatever the default. */
function triggerPropsOf(side: Side, settings: BenchSettings): Record<string, unknown> {
  if (side === 'batch') return { delivery: 'handoff', output: 'batch', max_batch_size: settings.batchSize };
  if (side === 'complete')
    return { delivery: 'complete', ...(settings.maxInFlight ? { max_in_flight: settings.maxInFlight } : {}) };
  return { delivery: 'handoff' };
}

async function finish(child: ConsumerProcess): Promise<void> {
  await child.stop();
  live.delete(child);
}

async function drain(
  broker: LocalKafka,
  settings: BenchSettings,
  side: Side,
  slowMs: number,
  variant?: Variant,
): Promise<DrainResult> {
  const config = workerConfig(broker, settings, BACKLOG_TOPIC, side, { expected: settings.records });
  const child = await start(side, config, settings, slowMs, variant?.dir);
  try {
    await child.waitReady();
    const report = await child.waitDrained(Math.max(180_000, settings.records / 2));
    if (
      side !== 'ceiling' &&
      side !== 'tuned' &&
      slowMs === 0 &&
      settings.cpuProfDir &&
      child.pid !== undefined
    ) {
      // bench/profile-summary.ts reads only the samples taken while the records arrived.
      const window = { firstHrUs: report.firstHrUs, lastHrUs: report.lastHrUs };
      writeFileSync(path.join(settings.cpuProfDir, `window-${child.pid}.json`), JSON.stringify(window));
    }
    const rate = ((report.count - 1) / (report.lastAt - report.firstAt)) * 1000;
    return { side, ...(variant ? { variant: variant.label } : {}), rate, report };
  } finally {
    await finish(child);
  }
}

async function latency(
  broker: LocalKafka,
  settings: BenchSettings,
  side: Side,
  rate: number,
): Promise<LatencyResult> {
  const config = workerConfig(broker, settings, LATENCY_TOPIC, side, {
    mode: 'latency',
    startFrom: 'newest',
  });
  const child = await start(side, config, settings);
  try {
    await child.waitReady();
    return await withProducer(broker.bootstrap, async (producer) => {
      const stream = await steadyStream(producer, LATENCY_TOPIC, rate, settings.valueBytes);
      let sent: { measured: number; rate: number };
      try {
        // Warm up until the consumer has joined and records flow, then measure.
        const warmUpDeadline = Date.now() + 60_000;
        while ((await child.report()).warmups === 0) {
          if (Date.now() > warmUpDeadline) throw new Error(`${side}: no records within 60 s of producing`);
          await sleep(200);
        }
        await sleep(WARM_UP_AFTER_FIRST_MS);
        child.reset();
        stream.measure();
        await sleep(settings.latencySeconds * 1000);
      } finally {
        sent = await stream.stop();
      }
      const settleDeadline = Date.now() + LATENCY_SETTLE_MS;
      let report = await child.report();
      while (report.count < sent.measured && Date.now() < settleDeadline) {
        await sleep(200);
        report = await child.report();
      }
      return { side, target: rate, achieved: sent.rate, measured: sent.measured, report };
    });
  } finally {
    await finish(child);
  }
}

function renderTable(results: Results, settings: BenchSettings): string {
  const rows: string[][] = [];
  const drains = (side: Side): DrainResult[] =>
    results.drains.filter((result) => result.side === side && !result.variant);
  const ceiling = drains('ceiling');
  const tuned = drains('tuned');
  const product = drains('product');
  const batch = drains('batch');
  const complete = drains('complete');
  const rates = (list: DrainResult[]): string =>
    `${fmt(median(list.map((result) => result.rate)))} (${list.map((result) => fmt(result.rate)).join(', ')})`;
  const cpu = (list: DrainResult[]): string =>
    `${median(list.map((result) => cpuPerRecord(result.report))).toFixed(2)} ` +
    `(${list.map((result) => cpuPerRecord(result.report).toFixed(2)).join(', ')})`;
  if (ceiling.length > 0 && product.length > 0) {
    const a = median(ceiling.map((result) => result.rate));
    const b = median(product.map((result) => result.rate));
    const aCpu = median(ceiling.map((result) => cpuPerRecord(result.report)));
    const bCpu = median(product.map((result) => cpuPerRecord(result.report)));
    rows.push([
      `drain ${fmt(settings.records)} records, records/s: median (each round)`,
      rates(ceiling),
      rates(product),
      `**${(b / a).toFixed(2)}**`,
    ]);
    rows.push([
      'CPU time of the consumer process per record, µs: median (each round)',
      cpu(ceiling),
      cpu(product),
      `${(aCpu / bCpu).toFixed(2)} (a/b)`,
    ]);
    if (batch.length > 0) {
      const bBatch = median(batch.map((result) => result.rate));
      rows.push([
        `b'. product with batch output (max_batch_size ${settings.batchSize}), records/s; CPU µs/record`,
        '',
        `${rates(batch)}; ${cpu(batch)}`,
        `${(bBatch / a).toFixed(2)} (b'/a)`,
      ]);
    }
    if (complete.length > 0) {
      const bComplete = median(complete.map((result) => result.rate));
      const cCpu = median(complete.map((result) => cpuPerRecord(result.report)));
      rows.push([
        `b*. product with complete delivery, records/s; CPU µs/record; peak RSS / heap`,
        '',
        `${rates(complete)}; ${cpu(complete)}; ${memory(complete.map((result) => result.report))}`,
        `${(bComplete / b).toFixed(2)} (b*/b), CPU ${(cCpu / bCpu).toFixed(2)} (b*/b)`,
      ]);
    }
    for (const { label, dir, complete } of settings.consumeVariants) {
      const variant = results.drains.filter((result) => result.variant === label);
      const vCpu = median(variant.map((result) => cpuPerRecord(result.report)));
      rows.push([
        `b''. variant ${label} (${path.basename(dir)}${complete ? ', complete delivery' : ''}), records/s; CPU µs/record`,
        '',
        `${rates(variant)}; ${cpu(variant)}`,
        `${(vCpu / bCpu).toFixed(2)} (CPU b''/b)`,
      ]);
    }
    if (tuned.length > 0) {
      const aTuned = median(tuned.map((result) => result.rate));
      rows.push([
        `a'. ceiling with larger fetches (${fetchLabel(settings.tunedFetch)}), records/s; CPU µs/record`,
        `${rates(tuned)}; ${cpu(tuned)}`,
        '',
        `${(b / aTuned).toFixed(2)} (b/a')`,
      ]);
    }
    rows.push([
      'peak RSS / heap used while draining, fast downstream (max of rounds)',
      memory(ceiling.map((result) => result.report)),
      memory(product.map((result) => result.report)),
      '',
    ]);
  }
  if (results.slow) {
    const report = results.slow.report;
    rows.push([
      `peak RSS / heap used while draining, slow downstream (${settings.slowMs} ms/msg, one at a time)`,
      '',
      `${memory([report])}; ${report.peakQueued} msgs queued; handed off at ${fmt(results.slow.rate)}/s`,
      '',
    ]);
  }
  for (const rate of settings.rates) {
    const bySide = (side: Side): string => {
      const result = results.latencies.find((entry) => entry.target === rate && entry.side === side);
      if (!result) return '';
      const [p50, p99, max] = percentiles(result.report.latencies);
      const lost = result.measured - result.report.count;
      return `${ms(p50)} / ${ms(p99)} / ${ms(max)}` + (lost > 0 ? ` (${lost} not arrived)` : '');
    };
    if (results.latencies.some((entry) => entry.target === rate))
      rows.push([
        `latency at ${rate} records/s for ${settings.latencySeconds} s, p50 / p99 / max ms`,
        bySide('ceiling'),
        bySide('product') + (bySide('batch') ? `; batch output: ${bySide('batch')}` : ''),
        '',
      ]);
  }
  const header = [
    'measure',
    'a. ceiling: kafkajs eachBatch, same fetch sizes',
    'b. product: Node-RED kafka-trigger',
    'b/a',
  ];
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  return lines.join('\n');
}

function renderMachine(broker: LocalKafka, measured: string): string {
  const cpus = os.cpus();
  const version = (name: string): string => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  return [
    `date: ${new Date().toISOString()}`,
    `measured: ${measured}`,
    `cpu: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} cores; memory ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; ${os.platform()} ${os.release()}`,
    `node ${process.version}, kafkajs ${version('kafkajs')}, node-red ${version('node-red')}, kafka ${broker.version} (one KRaft broker on 127.0.0.1)`,
    `load average at the end (1, 5, 15 min): ${loadAverage()}`,
  ].join('\n');
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(', ');
}

function git(args: string[], cwd = ROOT): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function memory(reports: ProbeReport[]): string {
  const rss = Math.max(...reports.map((report) => Math.max(report.peakRss, report.rssHighWater)));
  const heap = Math.max(...reports.map((report) => report.peakHeapUsed));
  return `${mb(rss)} / ${mb(heap)}`;
}

function cpuPerRecord(report: ProbeReport): number {
  return report.count > 0 ? report.cpuUs / report.count : NaN;
}

function fetchLabel(fetch: FetchOptions): string {
  return Object.entries(fetch as Record<string, number>)
    .map(([name, value]) => `${name} ${name.endsWith('Ms') ? value : mb(value)}`)
    .join(', ');
}

main().catch((error: unknown) => {
  console.error(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
