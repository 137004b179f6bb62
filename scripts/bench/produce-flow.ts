// The flow phase of the produce part: kafka-produce as a user's flow drives it. A core function
// node emits the records in bursts into kafka-produce (acks all) and a core function node counts
// the acknowledged msgs (kafka-produce's output), telling the emitter each time a whole burst is
// acknowledged, so at most `burstsInFlight` bursts are unacknowledged. Beside it, a plain kafkajs
// producer sends the same records in batches of the burst size, one send() at a time, and the same
// flow without kafka-produce (emit wired straight to count) shows what the function nodes and
// Node-RED's msg path cost alone. Each run writes one burst first, not measured (connection,
// metadata), on a fresh topic. See BENCHMARKS.md.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LocalKafka } from '../kafka/local-kafka';
import { IpcChild, ROOT, launchNodeRed } from './children';
import { fmt, log, mb, median } from './figures';
import type { ProbeReport } from './nodes/lib/probe';
import { benchValue, type ProduceMessage, type ProduceRun } from './nodes/lib/produce-run';
import { deleteTopic, freshTopic, recordsOn, succeeded } from './produce';
import type { RawWorkerConfig } from './produce-worker';
import type { BenchSettings, ProduceFlowSettings } from './settings';

interface FlowSide {
  id: string;
  /** The Node-RED side's package (default: this checkout or BENCH_COMMIT's build). */
  packageDir?: string;
  raw?: boolean;
  /** The flow without kafka-produce: nothing is written. */
  floor?: boolean;
}

export interface FlowResult {
  side: string;
  rate: number;
  report: ProbeReport;
  onTopic: number;
  written: number;
}

type Writer = IpcChild<ProduceMessage>;

export async function runProduceFlow(
  broker: LocalKafka,
  settings: BenchSettings,
  live: Set<{ stop(): Promise<void> }>,
): Promise<FlowResult[]> {
  const flow = settings.produce.flow;
  const sides: FlowSide[] = [
    ...(flow.sides.includes('raw') ? [{ id: 'raw', raw: true }] : []),
    ...(flow.sides.includes('product') ? [{ id: 'product', packageDir: settings.packageDir }] : []),
    ...settings.produce.variants.map((variant) => ({ id: variant.label, packageDir: variant.dir })),
    ...(flow.sides.includes('floor') ? [{ id: 'floor', floor: true }] : []),
  ];
  const results: FlowResult[] = [];
  for (let round = 1; round <= flow.rounds; round += 1) {
    for (const side of sides) {
      const topic = await freshTopic(broker, flow.partitions, `flow-${side.id}`);
      const writer = await startFlowWriter(broker, settings, side, topic);
      live.add(writer);
      let started: number;
      let report: ProbeReport;
      try {
        await writer.next('ready', 60_000);
        writer.request({ type: 'start' });
        started = (await succeeded(writer.next(['started', 'failed'], 120_000))).at;
        report = (await succeeded(writer.next(['drained', 'failed'], Math.max(180_000, flow.records))))
          .report;
        if (settings.cpuProfDir && writer.pid !== undefined) {
          // bench/profile-summary.ts reads only the samples taken while the records were acknowledged.
          const window = { firstHrUs: report.firstHrUs, lastHrUs: report.lastHrUs };
          writeFileSync(path.join(settings.cpuProfDir, `window-${writer.pid}.json`), JSON.stringify(window));
        }
      } finally {
        await writer.stop();
        live.delete(writer);
      }
      const onTopic = await recordsOn(broker, topic);
      await deleteTopic(broker, topic);
      const rate = (flow.records / (report.lastAt - started)) * 1000;
      const written = side.floor ? 0 : flow.records + flow.burst;
      results.push({ side: side.id, rate, report, onTopic, written });
      log(
        `  flow round ${round} ${side.id.padEnd(11)} ${fmt(rate).padStart(9)} records/s  ` +
          `${(report.cpuUs / flow.records).toFixed(2)} µs CPU/record  peak RSS ${mb(report.peakRss)}  ` +
          `on the topic ${onTopic}/${written}`,
      );
    }
  }
  return results;
}

async function startFlowWriter(
  broker: LocalKafka,
  settings: BenchSettings,
  side: FlowSide,
  topic: string,
): Promise<Writer> {
  const flow = settings.produce.flow;
  const profiling = settings.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', settings.cpuProfDir] : [];
  if (side.raw) {
    const run: ProduceRun = {
      mode: 'throughput',
      records: flow.records,
      valueBytes: flow.valueBytes,
      warmUpRecords: flow.burst,
      rate: 0,
      warmUpSeconds: 0,
      seconds: 0,
    };
    const config: RawWorkerConfig = {
      brokers: broker.bootstrap,
      topic,
      run,
      method: 'batched',
      window: 1,
      batchRecords: flow.burst,
      // Batches are cut by records alone, as the burst is.
      batchBytes: Number.MAX_SAFE_INTEGER,
      inFlight: 1,
    };
    const child = spawn(
      process.execPath,
      [...profiling, '--import', 'tsx', path.join(__dirname, 'produce-worker.ts')],
      {
        cwd: ROOT,
        env: { ...process.env, BENCH_WORKER: JSON.stringify(config) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    return new IpcChild<ProduceMessage>(side.id, child, undefined, () => undefined);
  }
  const launched = await launchNodeRed(produceFlow(broker, topic, flow, side.floor === true), [], {
    ...(side.packageDir ? { packageDir: side.packageDir } : {}),
    ...(settings.cpuProfDir ? { cpuProfDir: settings.cpuProfDir } : {}),
    functionBench: { mode: 'drain', expected: flow.records },
  });
  return new IpcChild<ProduceMessage>(side.id, launched.child, launched.logFile, launched.cleanUp);
}

/**
 * inject (once) -> emit -> kafka-produce -> count, count -> emit per acknowledged burst, Catch ->
 * count; `floor`: emit -> count, no kafka-produce.
 */
export function produceFlow(
  broker: LocalKafka,
  topic: string,
  flow: ProduceFlowSettings,
  floor: boolean,
): object[] {
  const tab = 'bench-tab';
  const functionNode = (
    id: string,
    name: string,
    func: string,
    wires: string[],
    x: number,
  ): { id: string; [property: string]: unknown } => ({
    id,
    type: 'function',
    z: tab,
    name,
    func,
    outputs: 1,
    timeout: 0,
    noerr: 0,
    initialize: '',
    finalize: '',
    libs: [],
    x,
    y: 80,
    wires: [wires],
  });
  const emit = [
    '// From the inject node: one warm-up burst. From count: `warm` once it is acknowledged (then the',
    '// measured bursts start), `acked` for each further burst acknowledged.',
    `const records = ${flow.records};`,
    `const burst = ${flow.burst};`,
    `const value = ${JSON.stringify(benchValue(flow.valueBytes))};`,
    'function emitBurst(warmUp) {',
    "  let sent = context.get('sent') || 0;",
    '  const end = warmUp ? burst : Math.min(sent + burst, records);',
    "  for (let n = warmUp ? 0 : sent; n < end; n += 1) node.send({ payload: value, key: 'user-' + (n % 10007), warmUp });",
    "  if (!warmUp) context.set('sent', end);",
    '}',
    "if (msg.topic === 'warm') {",
    "  await global.get('bench').started();",
    `  for (let i = 0; i < ${flow.burstsInFlight}; i += 1) emitBurst(false);`,
    "} else if (msg.topic === 'acked') {",
    '  emitBurst(false);',
    '} else {',
    '  emitBurst(true);',
    '}',
    'return null;',
  ].join('\n');
  const count = [
    "const bench = global.get('bench');",
    'if (msg.error) {',
    '  bench.failed(msg.error.message);',
    '  return null;',
    '}',
    `const burst = ${flow.burst};`,
    'if (msg.warmUp) {',
    "  const warm = (context.get('warm') || 0) + 1;",
    "  context.set('warm', warm);",
    "  return warm === burst ? { topic: 'warm' } : null;",
    '}',
    'bench.arrived();',
    "const acked = (context.get('acked') || 0) + 1;",
    "context.set('acked', acked);",
    "return acked % burst === 0 ? { topic: 'acked' } : null;",
  ].join('\n');
  const nodes = [
    { id: tab, type: 'tab', label: 'kafka-produce in a flow' },
    {
      id: 'bench-broker',
      type: 'kafka-broker',
      name: '',
      brokers: broker.bootstrap,
      client_id: 'bench-flow',
    },
    {
      id: 'flow-start',
      type: 'inject',
      z: tab,
      name: '',
      props: [{ p: 'topic', vt: 'str' }],
      repeat: '',
      crontab: '',
      once: true,
      onceDelay: 0.1,
      topic: 'start',
      x: 100,
      y: 80,
      wires: [['flow-emit']],
    },
    functionNode('flow-emit', 'emit', emit, [floor ? 'flow-count' : 'flow-produce'], 250),
    {
      id: 'flow-produce',
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
      x: 400,
      y: 80,
      wires: [['flow-count']],
    },
    functionNode('flow-count', 'count', count, ['flow-emit'], 550),
    {
      id: 'flow-catch',
      type: 'catch',
      z: tab,
      scope: ['flow-produce'],
      uncaught: false,
      x: 400,
      y: 140,
      wires: [['flow-count']],
    },
  ];
  const writing = new Set(['bench-broker', 'flow-produce', 'flow-catch']);
  return floor ? nodes.filter((node) => !writing.has(node.id)) : nodes;
}

export function renderFlowTable(results: FlowResult[], settings: BenchSettings): string {
  const flow = settings.produce.flow;
  const of = (side: string): FlowResult[] => results.filter((result) => result.side === side);
  const rate = (list: FlowResult[]): number => median(list.map((result) => result.rate));
  const cpu = (list: FlowResult[]): number =>
    median(list.map((result) => result.report.cpuUs / flow.records));
  const raw = of('raw');
  const sideIds = [...new Set(results.map((result) => result.side))];
  const names: Record<string, string> = {
    raw: `kafkajs: send() of batches of ${fmt(flow.burst)}, one at a time (no Node-RED)`,
    product: 'Node-RED: function → kafka-produce → function',
    floor: 'Node-RED: function → function, no kafka-produce (nothing written)',
  };
  const rows = sideIds.map((id) => {
    const list = of(id);
    return [
      names[id] ?? `Node-RED flow, variant ${id}`,
      `${fmt(rate(list))} (${list.map((result) => fmt(result.rate)).join(', ')})`,
      raw.length > 0 ? `**${(rate(list) / rate(raw)).toFixed(2)}**` : '',
      `${cpu(list).toFixed(2)} (${list.map((result) => (result.report.cpuUs / flow.records).toFixed(2)).join(', ')})`,
      `${mb(Math.max(...list.map((result) => Math.max(result.report.peakRss, result.report.rssHighWater))))}`,
    ];
  });
  const header = [
    `writer (${fmt(flow.records)} records of ${flow.valueBytes} B, bursts of ${fmt(flow.burst)}, acks all, ${flow.partitions} partitions)`,
    'records/s, median (each round)',
    'ratio to kafkajs',
    'CPU µs per record of the writing process',
    'peak RSS',
  ];
  const short = results.filter((result) => result.onTopic !== result.written);
  return [
    ...[header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`),
    '',
    short.length === 0
      ? `records on the topics after each run (end offsets): all ${results.length} runs as written`
      : `records on the topics differ from those written: ${short.map((result) => `${result.side} ${result.onTopic}/${result.written}`).join(', ')}`,
  ].join('\n');
}
