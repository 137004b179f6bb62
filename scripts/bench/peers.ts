// The peers part of `npm run bench` (BENCH_PART=peers): one backlog drained in turn by a raw
// kafkajs consumer that parses every value, this package's kafka-trigger, the other Node-RED Kafka
// packages (each installed from npm into its own directory under .cache/bench-peers/, never into
// this package) and kcat, librdkafka's CLI, as the machine's practical limit. Each Node-RED
// contender runs in a Node-RED of its own, with a fresh consumer group from the beginning, wired
// to the same bench-sink that counts the product's messages, and again to a core function node
// that counts them (BENCH_PEERS_DOWNSTREAM). See BENCHMARKS.md.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTopic, type LocalKafka } from '../kafka/local-kafka';
import { withAdmin } from '../kafka/topics';
import {
  ROOT,
  startCeiling,
  startNodeRed,
  startSinkFlow,
  type ConsumerProcess,
  type Downstream,
} from './children';
import { fmt, log, median } from './figures';
import { nowMs, type ProbeReport } from './nodes/lib/probe';
import { preload } from './producer';
import type { BenchSettings, WorkerConfig } from './settings';

const TOPIC = 'bench-peers-backlog';
const PEERS_DIR = path.join(ROOT, '.cache', 'bench-peers');
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const POLL_MS = 500;

/** A Node-RED Kafka package measured against this one. */
interface Peer {
  id: string;
  name: string;
  version: string;
  /** Dependencies whose install scripts must run (native builds), for npm's allowScripts. */
  allowScripts?: string[];
  /** Install without any install scripts. */
  ignoreScripts?: boolean;
  /** A module that must load from the install directory (a native build). */
  mustLoad?: string;
  /** What the system needs for the install, said when it fails. */
  needs?: string;
  /**
   * The consumer has no setting to start a new group from the beginning: the group's offsets are
   * committed at the start of each partition before it joins, as `kafka-consumer-groups
   * --reset-offsets --to-earliest` would.
   */
  seedOffsets?: boolean;
  /** The config node and the consumer node (wired to `sink`), with this peer's own properties. */
  flow(config: WorkerConfig, partitions: number): object[];
}

const CONSUMER_AT = { x: 150, y: 80, wires: [['sink']] };

export const PEERS: Peer[] = [
  {
    id: 'kafka-suite',
    name: 'node-red-contrib-kafka-suite',
    version: '0.0.5',
    flow: (config) => [
      {
        id: 'peer-broker',
        type: 'kafka-suite-broker',
        name: '',
        brokers: config.brokers,
        clientId: 'bench-kafka-suite',
        backend: 'kafkajs',
        authType: 'none',
        logLevel: 'warn',
      },
      {
        id: 'peer-consumer',
        type: 'kafka-suite-consumer',
        name: '',
        broker: 'peer-broker',
        topics: config.topic,
        groupId: config.groupId,
        startOffset: 'earliest',
        autoCommit: true,
        autoCommitInterval: 5000,
        messageFormat: 'json',
        concurrency: 1,
        schemaRegistry: '',
        ...CONSUMER_AT,
      },
    ],
  },
  {
    id: 'rdkafka',
    name: 'node-red-contrib-rdkafka',
    version: '0.2.2',
    allowScripts: ['node-rdkafka'],
    mustLoad: 'node-rdkafka',
    needs:
      'node-rdkafka builds librdkafka from source: a C/C++ toolchain, make, python3, zlib1g-dev and libssl-dev',
    seedOffsets: true,
    flow: (config) => [
      { id: 'peer-broker', type: 'kafka-broker', broker: config.brokers, clientid: 'bench-rdkafka' },
      {
        id: 'peer-consumer',
        type: 'rdkafka in',
        name: '',
        broker: 'peer-broker',
        topic: config.topic,
        cgroup: config.groupId,
        autocommit: true,
        ...CONSUMER_AT,
      },
    ],
  },
  {
    id: 'oriolrius-kafka',
    name: '@oriolrius/node-red-contrib-kafka',
    version: '6.1.1',
    flow: (config) => [
      {
        id: 'peer-broker',
        type: 'oriolrius-kafka-broker',
        name: '',
        hosts: config.brokers,
        usetls: false,
        usesasl: false,
      },
      {
        id: 'peer-consumer',
        type: 'oriolrius-kafka-consumer',
        name: '',
        broker: 'peer-broker',
        topic: config.topic,
        groupid: config.groupId,
        fromOffset: 'earliest',
        outOfRangeOffset: 'earliest',
        encoding: 'utf8',
        minbytes: 1,
        maxbytes: 1048576,
        useSchemaValidation: false,
        ...CONSUMER_AT,
      },
    ],
  },
  {
    id: 'kafkajs',
    name: 'node-red-contrib-kafkajs',
    version: '0.0.7',
    flow: (config) => [
      {
        id: 'peer-broker',
        type: 'kafkajs-client',
        name: '',
        brokers: config.brokers,
        clientid: 'bench-kafkajs',
        connectiontimeout: 3000,
        requesttimeout: 25000,
        advancedretry: false,
        auth: 'none',
        logLevel: 'error',
      },
      {
        id: 'peer-consumer',
        type: 'kafkajs-consumer',
        name: '',
        client: 'peer-broker',
        groupid: config.groupId,
        topic: config.topic,
        // frombeginning is read only with the advanced options on, so those are its defaults.
        advancedoptions: true,
        autocommitinterval: 5000,
        autocommitthreshold: 100,
        sessiontimeout: 30000,
        rebalancetimeout: 60000,
        heartbeatinterval: 3000,
        metadatamaxage: 300000,
        maxbytesperpartition: 1048576,
        minbytes: 1,
        maxbytes: 10485760,
        maxwaittimeinms: 5000,
        frombeginning: true,
        clearoffsets: false,
        allowautotopiccreation: false,
        ...CONSUMER_AT,
      },
    ],
  },
  {
    id: 'kafka-manager',
    name: 'node-red-contrib-kafka-manager',
    version: '0.6.2',
    // Its dependency `node` (any version) installs a Node.js binary from npm; nothing it needs.
    ignoreScripts: true,
    flow: (config, partitions) => {
      const [host, port] = config.brokers.split(':');
      return [
        {
          id: 'peer-broker',
          type: 'Kafka Broker',
          name: 'bench',
          hosts: [{ host, port: Number(port) }],
          hostsEnvVar: '',
          connectTimeout: 10000,
          requestTimeout: 30000,
          autoConnect: 'true',
          idleConnection: 5,
          reconnectOnIdle: 'true',
          maxAsyncRequests: 10,
          checkInterval: 10,
          usetls: false,
          useCredentials: false,
        },
        {
          id: 'peer-consumer',
          type: 'Kafka Consumer',
          name: '',
          broker: 'peer-broker',
          regex: false,
          // Its consumer (kafka-node's Consumer) is given partitions and their start offsets.
          topics: Array.from({ length: partitions }, (_, partition) => ({
            topic: config.topic,
            offset: 0,
            partition,
          })),
          groupId: config.groupId,
          autoCommit: 'true',
          autoCommitIntervalMs: 5000,
          fetchMaxWaitMs: 100,
          fetchMinBytes: 1,
          fetchMaxBytes: 1048576,
          fromOffset: 'earliest',
          encoding: 'utf8',
          keyEncoding: 'utf8',
          connectionType: 'Consumer',
          convertToJson: true,
          compressionType: 'none',
          ...CONSUMER_AT,
        },
      ];
    },
  },
];

export interface PeerRow {
  id: string;
  contender: string;
  version: string;
  /** The counting node of a Node-RED contender; none for raw kafkajs and kcat. */
  downstream: Downstream | undefined;
  /** records/s of each round that drained the backlog. */
  rates: number[];
  /** CPU seconds (user + system) of the consuming process over each of those drains. */
  cpuSeconds: number[];
  /** 1-minute load average at the start of each round. */
  loads: number[];
  /** Why a round did not give a rate, or what else the row must say. */
  notes: string[];
}

type Outcome = { report: ProbeReport; rate: number } | { note: string };

export async function runPeersPart(
  broker: LocalKafka,
  settings: BenchSettings,
  live: Set<{ stop(): Promise<void> }>,
): Promise<PeerRow[]> {
  const { peers: options, partitions } = settings;
  const want = (id: string): boolean => !options.contenders || options.contenders.includes(id);
  const rows: PeerRow[] = [];
  const row = (id: string, contender: string, version: string, downstream?: Downstream): PeerRow => {
    const entry: PeerRow = {
      id,
      contender,
      version,
      downstream,
      rates: [],
      cpuSeconds: [],
      loads: [],
      notes: [],
    };
    rows.push(entry);
    return entry;
  };
  const kafkajsVersion = packageVersion(path.join(ROOT, 'node_modules', 'kafkajs'));
  type Contender = { row: PeerRow; run: (config: WorkerConfig) => Promise<Outcome> };
  const contenders: Contender[] = [];
  /** A Node-RED contender once per downstream counting node, side by side. */
  const inNodeRed = (
    id: string,
    contender: string,
    version: string,
    run: (config: WorkerConfig, downstream: Downstream) => Promise<Outcome>,
  ): PeerRow[] =>
    options.downstreams.map((downstream) => {
      const entry = row(id, contender, version, downstream);
      contenders.push({ row: entry, run: (config) => run(config, downstream) });
      return entry;
    });
  const ours = `${packageVersion(ROOT)} (working tree)`;
  const product =
    (triggerProps: Record<string, unknown>) => async (config: WorkerConfig, downstream: Downstream) =>
      drainProcess(
        await startNodeRed(config, {
          packageDir: settings.packageDir,
          cpuProfDir: settings.cpuProfDir,
          triggerProps,
          downstream,
        }),
        settings,
        live,
      );
  if (want('raw'))
    contenders.push({
      row: row('raw', 'raw kafkajs eachBatch + JSON.parse (no Node-RED)', `kafkajs ${kafkajsVersion}`),
      run: (config) => drainProcess(startCeiling({ ...config, parse: true }), settings, live),
    });
  if (want('product'))
    inNodeRed(
      'product',
      'node-red-contrib-kafka-trigger (this package), hand-off',
      ours,
      product({ delivery: 'handoff' }),
    );
  if (want('product-complete'))
    inNodeRed(
      'product-complete',
      'node-red-contrib-kafka-trigger, complete delivery',
      ours,
      product({ delivery: 'complete' }),
    );
  if (want('product-batch'))
    inNodeRed(
      'product-batch',
      `node-red-contrib-kafka-trigger, batch output (max_batch_size ${settings.batchSize})`,
      ours,
      product({ delivery: 'handoff', output: 'batch', max_batch_size: settings.batchSize }),
    );
  for (const peer of PEERS.filter((each) => want(each.id))) {
    log(`Installing ${peer.name}@${peer.version} into ${path.relative(ROOT, peerDir(peer))}...`);
    const failure = await install(peer);
    if (failure) {
      row(peer.id, peer.name, peer.version).notes.push(failure);
      log(`  ${failure}`);
      continue;
    }
    const modules = { [peer.name]: path.join(peerDir(peer), 'node_modules', peer.name) };
    const peerRows = inNodeRed(peer.id, peer.name, peer.version, async (config, downstream) => {
      if (peer.seedOffsets) await seedOffsets(broker, config, partitions);
      return drainProcess(
        await startSinkFlow(peer.id, peer.flow(config, partitions), config, modules, downstream),
        settings,
        live,
      );
    });
    if (peer.seedOffsets)
      for (const peerRow of peerRows)
        peerRow.notes.push(
          'no from-beginning setting: its fresh group was given offsets at the start of the topic',
        );
  }
  const kcat = want('kcat') ? kcatVersion() : undefined;
  if (want('kcat')) {
    const kcatRow = row('kcat', 'kcat (librdkafka CLI, no Node.js)', kcat ?? '');
    if (kcat) contenders.push({ row: kcatRow, run: (config) => drainKcat(config, settings) });
    else kcatRow.notes.push('not installed (apt-get install kcat)');
  }

  await createTopic(broker, TOPIC, partitions);
  log(`Preloading ${fmt(options.records)} records into ${TOPIC}...`);
  const preloaded = await preload(broker.bootstrap, TOPIC, options.records, settings.valueBytes);
  log(`  preloaded at ${fmt(preloaded)} records/s`);
  let runs = 0;
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const { row: entry, run } of contenders) {
      runs += 1;
      const config: WorkerConfig = {
        brokers: broker.bootstrap,
        topic: TOPIC,
        groupId: `bench-peers-${entry.id}-${entry.downstream ?? 'none'}-${process.pid}-${runs}`,
        startFrom: 'earliest',
        mode: 'drain',
        expected: options.records,
      };
      const load = os.loadavg()[0];
      entry.loads.push(load);
      let outcome: Outcome;
      try {
        outcome = await run(config);
      } catch (error) {
        outcome = { note: `failed: ${firstLine(error)}` };
      }
      if ('note' in outcome) {
        entry.notes.push(outcome.note);
        log(`  round ${round} ${label(entry).padEnd(26)} ${outcome.note}`);
      } else {
        entry.rates.push(outcome.rate);
        entry.cpuSeconds.push(outcome.report.cpuUs / 1e6);
        log(
          `  round ${round} ${label(entry).padEnd(26)} ${fmt(outcome.rate).padStart(9)} records/s  ` +
            `${(outcome.report.cpuUs / 1e6).toFixed(2)} s CPU  (load ${load.toFixed(2)} at the start)`,
        );
      }
    }
  }
  return rows;
}

function label(row: PeerRow): string {
  return row.downstream ? `${row.id}/${row.downstream}` : row.id;
}

/** Runs one drain of a probed process: bounded until the first record, then until the last. */
async function drainProcess(
  child: ConsumerProcess,
  settings: BenchSettings,
  live: Set<{ stop(): Promise<void> }>,
): Promise<Outcome> {
  const { firstRecordSeconds, drainSeconds, records } = settings.peers;
  live.add(child);
  try {
    await child.waitReady();
    const deadline = Date.now() + firstRecordSeconds * 1000;
    let report = await child.report();
    while (report.count === 0 && Date.now() < deadline) {
      await sleep(POLL_MS);
      report = await child.report();
    }
    if (report.count === 0)
      return { note: `consumed nothing within ${firstRecordSeconds} s${reason(child)}` };
    try {
      report = await child.waitDrained(drainSeconds * 1000);
    } catch {
      report = await child.report();
      return {
        note:
          `${fmt(report.count)} of ${fmt(records)} records within ${drainSeconds} s of the first ` +
          `(${fmt(rateOf(report))} records/s while it ran)${reason(child)}`,
      };
    }
    if (settings.cpuProfDir && child.pid !== undefined) {
      // bench/profile-summary.ts reads only the samples taken while the records arrived.
      const window = { firstHrUs: report.firstHrUs, lastHrUs: report.lastHrUs };
      writeFileSync(path.join(settings.cpuProfDir, `window-${child.pid}.json`), JSON.stringify(window));
    }
    return { report, rate: rateOf(report) };
  } finally {
    keepLog(child);
    await child.stop();
    live.delete(child);
  }
}

function rateOf(report: ProbeReport): number {
  return ((report.count - 1) / (report.lastAt - report.firstAt)) * 1000;
}

/** The first error line of the Node-RED log (else its first warning), as `; log: <line>`. */
function reason(child: ConsumerProcess): string {
  let lines: string[] = [];
  try {
    if (child.logFile) lines = readFileSync(child.logFile, 'utf8').split('\n');
  } catch {
    return '';
  }
  const line =
    lines.find((each) => each.includes('[error]')) ?? lines.find((each) => each.includes('[warn]'));
  return line
    ? `; log: ${line
        .replace(/^\d+ \w+ [\d:]+ - /, '')
        .trim()
        .slice(0, 200)}`
    : '';
}

/** Keeps the Node-RED log of the latest run of each contender, since the user dir is deleted. */
function keepLog(child: ConsumerProcess): void {
  if (!child.logFile || !existsSync(child.logFile)) return;
  const dir = path.join(PEERS_DIR, 'logs');
  mkdirSync(dir, { recursive: true });
  copyFileSync(child.logFile, path.join(dir, `${child.label}.log`));
}

/**
 * kcat with a fresh group from the beginning, exiting at the end of every partition. Timed from
 * the first record it prints to the last, as the Probe times the others; its CPU (user + system,
 * from the shell's `times`) covers its whole run, start and group join included.
 */
async function drainKcat(config: WorkerConfig, settings: BenchSettings): Promise<Outcome> {
  const { firstRecordSeconds, drainSeconds, records } = settings.peers;
  const bound = firstRecordSeconds + drainSeconds;
  const command =
    `timeout -s KILL ${bound} kcat -C -q -b ${config.brokers} -G ${config.groupId} ` +
    `-X auto.offset.reset=earliest -e -c ${records} -f '%p\\n' ${config.topic}; times >&2`;
  const child = spawn('bash', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
  let count = 0;
  let firstAt = 0;
  let lastAt = 0;
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const now = nowMs();
    if (count === 0) firstAt = now;
    lastAt = now;
    for (const byte of chunk) if (byte === 10) count += 1;
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), (bound + 10) * 1000);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  if (count < records)
    return {
      note: `${fmt(count)} of ${fmt(records)} records (exit ${code}): ${stderr.trim().slice(0, 200)}`,
    };
  // `times` prints the shell's user/system times, then its children's: `0m1.234s 0m0.567s`.
  const children = stderr.trim().split('\n').pop() ?? '';
  const cpuUs = children
    .split(/\s+/)
    .map((each) => /^(\d+)m([\d.]+)s$/.exec(each))
    .reduce((sum, match) => sum + (match ? (Number(match[1]) * 60 + Number(match[2])) * 1e6 : 0), 0);
  const report = { count, firstAt, lastAt, cpuUs } as ProbeReport;
  return { report, rate: rateOf(report) };
}

function kcatVersion(): string | undefined {
  try {
    const output = execFileSync('kcat', ['-V'], { encoding: 'utf8' });
    const match = /Version (\S+).*librdkafka (\S+)/.exec(output);
    return match ? `${match[1]} (librdkafka ${match[2]})` : 'unknown';
  } catch {
    return undefined;
  }
}

/** Commits offset 0 on every partition for the group, which has not joined yet. */
async function seedOffsets(broker: LocalKafka, config: WorkerConfig, partitions: number): Promise<void> {
  await withAdmin(broker, (admin) =>
    admin.setOffsets({
      groupId: config.groupId,
      topic: config.topic,
      partitions: Array.from({ length: partitions }, (_, partition) => ({ partition, offset: '0' })),
    }),
  );
}

/** Installs a peer (as the peers part does) and gives the node_modules entry for Node-RED, or why not. */
export async function installPeer(
  id: string,
): Promise<{ modules: Record<string, string> } | { failure: string }> {
  const peer = PEERS.find((each) => each.id === id);
  if (!peer) return { failure: `no peer '${id}'` };
  const failure = await install(peer);
  if (failure) return { failure };
  return { modules: { [peer.name]: path.join(peerDir(peer), 'node_modules', peer.name) } };
}

function peerDir(peer: Peer): string {
  return path.join(PEERS_DIR, peer.name.replace(/^@/, '').replace('/', '-'));
}

/** Installs the peer into its own directory unless it is there already; a reason if it fails. */
async function install(peer: Peer): Promise<string | undefined> {
  const dir = peerDir(peer);
  const installed = path.join(dir, 'node_modules', peer.name);
  if (!existsSync(installed) || packageVersion(installed) !== peer.version) {
    mkdirSync(dir, { recursive: true });
    const allowScripts = Object.fromEntries((peer.allowScripts ?? []).map((name) => [name, true]));
    writeFileSync(
      path.join(dir, 'package.json'),
      `${JSON.stringify({ private: true, description: 'bench/peers.ts: a throw-away install', allowScripts }, null, 2)}\n`,
    );
    const args = ['install', '--no-audit', '--no-fund', '--no-package-lock', `${peer.name}@${peer.version}`];
    if (peer.ignoreScripts) args.push('--ignore-scripts');
    const result = await new Promise<{ failed: boolean; output: string }>((resolve) =>
      execFile(
        'npm',
        args,
        { cwd: dir, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 64 * 2 ** 20 },
        (error, stdout, stderr) => resolve({ failed: error !== null, output: `${stdout}${stderr}` }),
      ),
    );
    writeFileSync(path.join(dir, 'install.log'), result.output);
    if (result.failed) {
      const lines = result.output.split('\n').filter((line) => /npm error|gyp ERR|error:/i.test(line));
      return `install failed (${path.relative(ROOT, path.join(dir, 'install.log'))}): ${lines.slice(0, 3).join(' / ').slice(0, 300)}${peer.needs ? `; ${peer.needs}` : ''}`;
    }
  }
  if (peer.mustLoad) {
    const loaded = await new Promise<string | undefined>((resolve) =>
      execFile(
        process.execPath,
        ['-e', `require(${JSON.stringify(peer.mustLoad)})`],
        { cwd: dir },
        (error, _out, stderr) =>
          resolve(
            error ? (stderr.split('\n').find((line) => /Error/.test(line)) ?? error.message) : undefined,
          ),
      ),
    );
    if (loaded !== undefined)
      return `${peer.mustLoad} does not load: ${loaded.slice(0, 200)}${peer.needs ? `; ${peer.needs}` : ''}`;
  }
  return undefined;
}

function packageVersion(dir: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 200);
}

export function renderPeersTable(rows: PeerRow[], settings: BenchSettings): string {
  const raw = rows.find((row) => row.id === 'raw' && row.rates.length > 0);
  const base = raw ? median(raw.rates) : NaN;
  const peerIds = new Set(PEERS.map((peer) => peer.id));
  /** The peer that drained fastest with the same counting node, if any drained. */
  const fastestPeer = (downstream: Downstream | undefined): PeerRow | undefined =>
    rows
      .filter((row) => peerIds.has(row.id) && row.downstream === downstream && row.rates.length > 0)
      .sort((a, b) => median(b.rates) - median(a.rates))[0];
  const againstFastest = (row: PeerRow): string => {
    const peer = fastestPeer(row.downstream);
    if (!row.id.startsWith('product') || !peer || row.rates.length === 0) return '';
    return (
      `${(median(row.rates) / median(peer.rates)).toFixed(2)}×; ` +
      `${(median(row.cpuSeconds) / median(peer.cpuSeconds)).toFixed(2)}× (${peer.id})`
    );
  };
  const header = [
    'contender',
    'version',
    'counted by',
    `records/s, median (each round): drain ${fmt(settings.peers.records)} records`,
    'ratio to raw kafkajs + JSON.parse',
    'against the fastest peer, same counting node: records/s; CPU',
    'CPU s of the consuming process (user + sys), first to last record',
    '1-min load at its start',
    'notes',
  ];
  const lines = rows.map((row) => {
    const rate = row.rates.length > 0 ? median(row.rates) : NaN;
    return [
      row.contender,
      row.version,
      row.downstream === 'function' ? 'function node' : row.downstream === 'sink' ? 'bench-sink' : '–',
      row.rates.length > 0
        ? `${fmt(rate)}${row.rates.length > 1 ? ` (${row.rates.map(fmt).join(', ')})` : ''}`
        : '–',
      row.rates.length > 0 && !Number.isNaN(base) ? (rate / base).toFixed(2) : '–',
      againstFastest(row),
      row.cpuSeconds.length > 0 ? row.cpuSeconds.map((each) => each.toFixed(2)).join(', ') : '–',
      row.loads.map((load) => load.toFixed(2)).join(', ') || '–',
      [...new Set(row.notes)].join('; ').replace(/\|/g, '\\|'),
    ];
  });
  return [
    ...[header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`),
    '',
    `${settings.partitions} partitions, values of about ${settings.valueBytes} B JSON, fresh group each, from the beginning.`,
  ].join('\n');
}
