// BENCH_PART=exactly-once: a topic-to-topic pipeline (kafka-trigger -> function -> kafka-produce,
// bench/pipeline-flow.ts) with complete delivery beside the same with exactly-once delivery, in one
// run on one broker. Throughput: a preloaded source topic piped into a fresh target topic, from the
// first record entering the flow until the target holds every record, read back read_committed
// (bench/read-back.ts). Latency: records produced at a steady rate, each timed from its produce to
// its read-back from the target, so exactly-once's time includes the transaction's commit.
import { setTimeout as sleep } from 'node:timers/promises';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LocalKafka } from '../kafka/local-kafka';
import { fmt, log, mb, median, ms, percentiles } from './figures';
import type { ProbeReport } from './nodes/lib/probe';
import { startPipeline, type PipelineProcess, type PipelineSide } from './pipeline-flow';
import { deleteTopic, freshTopic } from './produce';
import { preload, steadyStream, withProducer } from './producer';
import { ReadBack } from './read-back';
import type { BenchSettings } from './settings';

const WARM_UP_AFTER_FIRST_MS = 2000;
const SETTLE_MS = 15_000;
/** Longer than the trigger's metrics interval (1 s): the next metrics msg counts every transaction so far. */
const METRICS_SETTLE_MS = 1500;

interface TransactionCounts {
  committed: number;
  aborted: number;
}

export interface PipelineThroughput {
  side: string;
  rate: number;
  cpuUsPerRecord: number;
  /** Msgs that entered the flow (more than the records when a transaction was delivered again). */
  intoFlow: number;
  /** Records read back from the target, and how many of them were distinct. */
  readBack: number;
  distinct: number;
  peakRss: number;
  transactions: TransactionCounts;
}

export interface PipelineLatency {
  side: string;
  achieved: number;
  measured: number;
  arrived: number;
  latencies: number[];
  /** Transactions committed while measuring, and the mean time between two commits of a partition. */
  committed: number;
  cycleMs: number;
}

export interface ExactlyOnceResults {
  sides: PipelineSide[];
  throughput: PipelineThroughput[];
  latency: PipelineLatency[];
}

type Live = Set<{ stop(): Promise<void> }>;

let runId = 0;

/** complete, then exactly-once with each transaction interval asked for (the default if none). */
export function pipelineSides(settings: BenchSettings): PipelineSide[] {
  const intervals = settings.exactlyOnce.transactionIntervals;
  return [
    { label: 'complete', delivery: 'complete' },
    ...(intervals.length === 0
      ? [{ label: 'exactly-once', delivery: 'exactly-once' as const }]
      : intervals.map((interval) => ({
          label: `exactly-once ${interval} ms`,
          delivery: 'exactly-once' as const,
          transactionInterval: interval,
        }))),
  ];
}

export async function runExactlyOncePart(
  broker: LocalKafka,
  settings: BenchSettings,
  live: Live,
): Promise<ExactlyOnceResults> {
  const sides = pipelineSides(settings);
  const results: ExactlyOnceResults = { sides, throughput: [], latency: [] };
  const { records, rounds, rate } = settings.exactlyOnce;
  if (settings.phases.includes('throughput')) {
    const source = await freshTopic(broker, settings.partitions, 'eos-source');
    log(`exactly-once: preloading ${fmt(records)} records into ${source}...`);
    await preload(broker.bootstrap, source, records, settings.valueBytes);
    for (let round = 1; round <= rounds; round += 1) {
      for (const side of sides) {
        const result = await throughput(broker, settings, side, source, live);
        results.throughput.push(result);
        log(
          `  round ${round} ${side.label.padEnd(20)} ${fmt(result.rate).padStart(7)} records/s  ` +
            `${result.cpuUsPerRecord.toFixed(1)} µs CPU/record  into the flow ${result.intoFlow}, ` +
            `read back ${result.readBack} (${result.distinct} distinct)` +
            (result.transactions.committed > 0 ? `, ${transactionsOf(result)}` : ''),
        );
      }
    }
    await deleteTopic(broker, source);
  }
  if (settings.phases.includes('latency')) {
    for (const side of sides) {
      const result = await latency(broker, settings, side, live);
      results.latency.push(result);
      const [p50, p99, max] = percentiles(result.latencies);
      log(
        `  ${rate}/s ${side.label.padEnd(20)} (achieved ${fmt(result.achieved)}/s, ${result.arrived}/${result.measured} ` +
          `read back) p50 ${ms(p50)} p99 ${ms(p99)} max ${ms(max)}` +
          (result.committed > 0 ? `, a commit every ${ms(result.cycleMs)} ms per partition` : ''),
      );
    }
  }
  return results;
}

async function throughput(
  broker: LocalKafka,
  settings: BenchSettings,
  side: PipelineSide,
  source: string,
  live: Live,
): Promise<PipelineThroughput> {
  const { records } = settings.exactlyOnce;
  const target = await freshTopic(broker, settings.partitions, 'eos-target');
  const reader = await ReadBack.start(broker.bootstrap, target);
  live.add(reader);
  let pipeline: PipelineProcess | undefined;
  try {
    pipeline = await launch(broker, settings, side, source, target, live);
    await pipeline.waitReady();
    const complete = await reader.until(
      (read) => read.counts.distinct >= records,
      Math.max(180_000, records / 2),
    );
    const report = await pipeline.report();
    const counts = reader.counts;
    if (!complete)
      throw new Error(
        `${side.label}: ${counts.distinct} of ${records} records in the target${pipeline.logTail()}`,
      );
    saveProfileWindow(settings, pipeline, report);
    await sleep(METRICS_SETTLE_MS);
    const transactions = await pipeline.transactions();
    return {
      side: side.label,
      rate: (records / (counts.latestAt - report.firstAt)) * 1000,
      cpuUsPerRecord: report.cpuUs / records,
      intoFlow: report.count,
      readBack: counts.total,
      distinct: counts.distinct,
      peakRss: Math.max(report.peakRss, report.rssHighWater),
      transactions,
    };
  } finally {
    await stop(pipeline, live);
    await stop(reader, live);
    await deleteTopic(broker, target);
  }
}

async function latency(
  broker: LocalKafka,
  settings: BenchSettings,
  side: PipelineSide,
  live: Live,
): Promise<PipelineLatency> {
  const { rate, latencySeconds } = settings.exactlyOnce;
  const source = await freshTopic(broker, settings.partitions, 'eos-latency-source');
  const target = await freshTopic(broker, settings.partitions, 'eos-latency-target');
  const reader = await ReadBack.start(broker.bootstrap, target);
  live.add(reader);
  let pipeline: PipelineProcess | undefined;
  try {
    pipeline = await launch(broker, settings, side, source, target, live);
    await pipeline.waitReady();
    const running = pipeline;
    return await withProducer(broker.bootstrap, async (producer) => {
      const stream = await steadyStream(producer, source, rate, settings.valueBytes);
      let sent: { measured: number; rate: number };
      let before: TransactionCounts & { at: number };
      let after: TransactionCounts & { at: number };
      try {
        // Warm up until records come through the whole pipeline, then measure.
        if (!(await reader.until((read) => read.counts.warmUps > 0, 60_000)))
          throw new Error(`${side.label}: nothing read back within 60 s of producing${running.logTail()}`);
        await sleep(WARM_UP_AFTER_FIRST_MS);
        before = { ...(await running.transactions()), at: Date.now() };
        stream.measure();
        await sleep(latencySeconds * 1000);
        after = { ...(await running.transactions()), at: Date.now() };
      } finally {
        sent = await stream.stop();
      }
      await reader.until((read) => read.counts.distinct >= sent.measured, SETTLE_MS);
      const committed = after.committed - before.committed;
      return {
        committed,
        cycleMs: ((after.at - before.at) * settings.partitions) / committed,
        side: side.label,
        achieved: sent.rate,
        measured: sent.measured,
        arrived: reader.counts.distinct,
        latencies: reader.latencies(),
      };
    });
  } finally {
    await stop(pipeline, live);
    await stop(reader, live);
    await deleteTopic(broker, source);
    await deleteTopic(broker, target);
  }
}

async function launch(
  broker: LocalKafka,
  settings: BenchSettings,
  side: PipelineSide,
  source: string,
  target: string,
  live: Live,
): Promise<PipelineProcess> {
  runId += 1;
  const pipeline = await startPipeline(broker, side, {
    source,
    target,
    group: `bench-eos-${process.pid}-${runId}`,
    ...(settings.maxInFlight ? { maxInFlight: settings.maxInFlight } : {}),
    ...(settings.packageDir ? { packageDir: settings.packageDir } : {}),
    ...(settings.cpuProfDir ? { cpuProfDir: settings.cpuProfDir } : {}),
  });
  live.add(pipeline);
  return pipeline;
}

async function stop(child: { stop(): Promise<void> } | undefined, live: Live): Promise<void> {
  if (!child) return;
  await child.stop();
  live.delete(child);
}

/** bench/profile-summary.ts reads only the samples taken while the records went through. */
function saveProfileWindow(settings: BenchSettings, pipeline: PipelineProcess, report: ProbeReport): void {
  if (!settings.cpuProfDir || pipeline.pid === undefined) return;
  const window = { firstHrUs: report.firstHrUs, lastHrUs: report.lastHrUs };
  writeFileSync(path.join(settings.cpuProfDir, `window-${pipeline.pid}.json`), JSON.stringify(window));
}

function transactionsOf(result: PipelineThroughput): string {
  const { committed, aborted } = result.transactions;
  return `${fmt(committed)} / ${fmt(aborted)}, ${fmt(result.distinct / committed)} records each`;
}

export function renderExactlyOnceTable(results: ExactlyOnceResults, settings: BenchSettings): string {
  const { records, rate, latencySeconds } = settings.exactlyOnce;
  const runs = (side: string): PipelineThroughput[] =>
    results.throughput.filter((result) => result.side === side);
  const medianOf = (side: string, figure: (result: PipelineThroughput) => number): number =>
    median(runs(side).map(figure));
  const p99 = (side: string): number => {
    const result = results.latency.find((entry) => entry.side === side);
    return result ? percentiles(result.latencies)[1] : NaN;
  };
  const ratio = (value: number, base: number): string =>
    Number.isFinite(value) && Number.isFinite(base) && base > 0 ? (value / base).toFixed(2) : '';
  const rows = results.sides.map(({ label }) => {
    const list = runs(label);
    const latencyRun = results.latency.find((entry) => entry.side === label);
    const [p50, p99Value, max] = percentiles(latencyRun?.latencies ?? []);
    const lost = latencyRun ? latencyRun.measured - latencyRun.arrived : 0;
    const rateOf = (result: PipelineThroughput): number => result.rate;
    const cpuOf = (result: PipelineThroughput): number => result.cpuUsPerRecord;
    return [
      label,
      list.length > 0
        ? `${fmt(medianOf(label, rateOf))} (${list.map((result) => fmt(result.rate)).join(', ')})`
        : '',
      list.length > 0 ? `**${ratio(medianOf(label, rateOf), medianOf('complete', rateOf))}**` : '',
      list.length > 0
        ? `${medianOf(label, cpuOf).toFixed(1)} (${list.map((result) => result.cpuUsPerRecord.toFixed(1)).join(', ')})`
        : '',
      list.length > 0 ? ratio(medianOf(label, cpuOf), medianOf('complete', cpuOf)) : '',
      latencyRun
        ? `${ms(p50)} / ${ms(p99Value)} / ${ms(max)}` + (lost > 0 ? ` (${lost} not read back)` : '')
        : '',
      latencyRun ? ratio(p99(label), p99('complete')) : '',
      list
        .map((result) => `${fmt(result.intoFlow)} / ${fmt(result.readBack)} / ${fmt(result.distinct)}`)
        .join('; '),
      list.length > 0 ? mb(Math.max(...list.map((result) => result.peakRss))) : '',
      [
        list.some((result) => result.transactions.committed > 0) ? list.map(transactionsOf).join('; ') : '',
        latencyRun && latencyRun.committed > 0
          ? `at ${rate}/s: a commit every ${ms(latencyRun.cycleMs)} ms`
          : '',
      ]
        .filter((text) => text !== '')
        .join('; '),
    ];
  });
  const header = [
    `pipeline: trigger → function → kafka-produce (${settings.partitions} partitions, values ≈${settings.valueBytes} B)`,
    `records/s end to end, ${fmt(records)} records, read back read_committed: median (each round)`,
    'ratio to complete',
    'Node-RED CPU µs per record: median (each round)',
    'CPU ratio to complete',
    `latency at ${rate} records/s for ${latencySeconds} s, produce to read-back, p50 / p99 / max ms`,
    'p99 ratio to complete',
    'msgs into the flow / records read back / distinct (each round)',
    'peak RSS',
    'transactions committed / aborted, records per transaction (each round); mean time between two commits of a partition',
  ];
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
