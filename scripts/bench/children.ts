// The processes a bench run measures: the ceiling worker (plain kafkajs) and a real Node-RED
// runtime with this package linked in, each talking to the runner over IPC. The produce bench
// (bench/produce.ts) starts its own flow in Node-RED through launchNodeRed.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import type { FunctionBenchConfig } from './nodes/lib/function-bench';
import type { ProbeMessage, ProbeReport, ProbeRequest } from './nodes/lib/probe';
import type { WorkerConfig } from './settings';

export const ROOT = path.resolve(__dirname, '..', '..');
const STOP_TIMEOUT_MS = 20_000;

export interface ConsumerProcess {
  readonly label: string;
  readonly pid: number | undefined;
  /** The Node-RED log, while the process runs (none for the ceiling). */
  readonly logFile: string | undefined;
  waitReady(timeoutMs?: number): Promise<void>;
  waitDrained(timeoutMs: number): Promise<ProbeReport>;
  report(): Promise<ProbeReport>;
  reset(): void;
  stop(): Promise<void>;
}

export interface NodeRedOptions {
  /** The package linked into Node-RED's user dir (default: this repository). */
  packageDir?: string;
  /** Write a V8 CPU profile of the Node-RED process into this directory. */
  cpuProfDir?: string;
  /** The sink works through one message per slowMs, queueing the rest. */
  slowMs?: number;
  /** Extra kafka-broker and kafka-trigger properties (a registry URL, a message format). */
  brokerProps?: Record<string, unknown>;
  triggerProps?: Record<string, unknown>;
  /** What counts the trigger's msgs: the bench-sink node (default) or a core function node. */
  downstream?: Downstream;
}

/** The node at the end of a consuming flow, which counts what arrives. */
export type Downstream = 'sink' | 'function';

/** The plain kafkajs consumer, run through tsx. */
export function startCeiling(config: WorkerConfig): ConsumerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'ceiling-worker.ts')], {
    cwd: ROOT,
    env: { ...process.env, BENCH_WORKER: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new ProbedChild('ceiling', child, undefined, () => undefined);
}

/** A bench node type's source in bench/nodes and the editor registration Node-RED needs beside it. */
export interface BenchNodeFile {
  source: string;
  html: string;
}

/** The settings of a throw-away Node-RED process. */
export interface LaunchOptions {
  /** The package linked into Node-RED's user dir (default: this repository). */
  packageDir?: string;
  /** Write a V8 CPU profile of the Node-RED process into this directory. */
  cpuProfDir?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * The packages in the user dir's node_modules, name -> directory (each linked in); default: this
   * package alone. The peers bench (bench/peers.ts) gives another package instead.
   */
  modules?: Record<string, string>;
  /** Seed the global context with a FunctionBench (`global.get('bench')`) for core function nodes. */
  functionBench?: FunctionBenchConfig;
  /** Serve the admin API (deploys, comms) on the Node-RED port; off by default. */
  adminApi?: boolean;
  /** A TypeScript file of bench/, transpiled into the user dir and loaded before Node-RED (`--require`). */
  preload?: string;
}

/** A core function node, id `sink`, that counts every msg into the FunctionBench. */
export function countingFunction(tab: string): object {
  return {
    id: 'sink',
    type: 'function',
    z: tab,
    name: 'count',
    func: "global.get('bench').arrived(msg.payload);\nreturn null;",
    outputs: 1,
    timeout: 0,
    noerr: 0,
    initialize: '',
    finalize: '',
    libs: [],
    x: 400,
    y: 80,
    wires: [[]],
  };
}

/** The counting node of a consuming flow, and what launchNodeRed needs for it. */
function counter(
  tab: string,
  config: WorkerConfig,
  downstream: Downstream,
  slowMs: number,
): { node: object; files: BenchNodeFile[]; functionBench?: FunctionBenchConfig } {
  if (downstream === 'function')
    return {
      node: countingFunction(tab),
      files: [],
      functionBench: { mode: config.mode, expected: config.expected },
    };
  return {
    node: {
      id: 'sink',
      type: 'bench-sink',
      z: tab,
      x: 400,
      y: 80,
      mode: config.mode,
      expected: config.expected,
      slow_ms: slowMs,
      wires: [],
    },
    files: [BENCH_SINK],
  };
}

const BENCH_SINK: BenchNodeFile = {
  source: 'bench-sink.ts',
  html: '<script type="text/javascript">RED.nodes.registerType("bench-sink", { category: "output", defaults: {}, inputs: 1, outputs: 0 });</script>\n',
};

/** Node-RED (red.js) in a throw-away user dir: kafka-broker -> kafka-trigger -> a counting node. */
export async function startNodeRed(
  config: WorkerConfig,
  options: NodeRedOptions = {},
): Promise<ConsumerProcess> {
  const tab = 'bench-tab';
  const end = counter(tab, config, options.downstream ?? 'sink', options.slowMs ?? 0);
  const flow = [
    { id: tab, type: 'tab', label: 'kafka trigger bench' },
    {
      id: 'bench-broker',
      type: 'kafka-broker',
      name: '',
      brokers: config.brokers,
      client_id: 'bench-product',
      ...options.brokerProps,
    },
    {
      id: 'trigger',
      type: 'kafka-trigger',
      z: tab,
      name: '',
      broker: 'bench-broker',
      topic: config.topic,
      consumer_group: config.groupId,
      start_from: config.startFrom,
      session_timeout: 10000,
      heartbeat_interval: 3000,
      ...options.triggerProps,
      x: 150,
      y: 80,
      wires: [['sink']],
    },
    end.node,
  ];
  const launched = await launchNodeRed(flow, end.files, {
    ...options,
    ...(end.functionBench ? { functionBench: end.functionBench } : {}),
    env: { KAFKA_BROKERS: config.brokers },
  });
  return new ProbedChild('product', launched.child, launched.logFile, launched.cleanUp);
}

/**
 * Node-RED running `nodes` (on one tab, with a counting node of id `sink` added for them to wire
 * to), with `modules` in its node_modules instead of this package: a peer package's consumer.
 */
export async function startSinkFlow(
  label: string,
  nodes: object[],
  config: WorkerConfig,
  modules: Record<string, string>,
  downstream: Downstream = 'sink',
): Promise<ConsumerProcess> {
  const tab = 'bench-tab';
  const end = counter(tab, config, downstream, 0);
  const flow = [
    { id: tab, type: 'tab', label: `${label} bench` },
    ...nodes.map((node) => ('z' in node || !('wires' in node) ? node : { z: tab, ...node })),
    end.node,
  ];
  const launched = await launchNodeRed(flow, end.files, {
    modules,
    ...(end.functionBench ? { functionBench: end.functionBench } : {}),
  });
  return new ProbedChild(label, launched.child, launched.logFile, launched.cleanUp);
}

/** A Node-RED process running `flow`, with the given bench node types loaded through `nodesDir`. */
export async function launchNodeRed(
  flow: object[],
  nodeFiles: BenchNodeFile[],
  options: LaunchOptions = {},
): Promise<{ child: ChildProcess; logFile: string; baseUrl: string; cleanUp: () => void }> {
  const userDir = mkdtempSync(path.join(tmpdir(), 'kafka-trigger-bench-'));
  const cleanUp = (): void => rmSync(userDir, { recursive: true, force: true });
  let port: number;
  try {
    port = await prepareUserDir(userDir, flow, nodeFiles, options);
  } catch (error) {
    cleanUp();
    throw error;
  }
  const preload: string[] = [];
  if (options.preload) {
    const target = path.join(userDir, path.basename(options.preload).replace(/\.ts$/, '.js'));
    transpile(path.join(__dirname, options.preload), target);
    preload.push('--require', target);
  }
  const logFile = path.join(userDir, 'node-red.log');
  const log = createWriteStream(logFile);
  const profiling = options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : [];
  const child = spawn(
    process.execPath,
    [...profiling, ...preload, require.resolve('node-red/red.js'), '--userDir', userDir],
    {
      cwd: userDir,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return { child, logFile, baseUrl: `http://127.0.0.1:${port}`, cleanUp };
}

/** Writes the user dir; the port Node-RED will listen on. */
async function prepareUserDir(
  userDir: string,
  flow: object[],
  nodeFiles: BenchNodeFile[],
  options: LaunchOptions,
): Promise<number> {
  const nodesDir = path.join(userDir, 'bench-nodes');
  mkdirSync(path.join(nodesDir, 'lib'), { recursive: true });
  const libDir = path.join(__dirname, 'nodes', 'lib');
  for (const file of readdirSync(libDir).filter((name) => name.endsWith('.ts')))
    transpile(path.join(libDir, file), path.join(nodesDir, 'lib', file.replace(/\.ts$/, '.js')));
  for (const { source, html } of nodeFiles) {
    const name = source.replace(/\.ts$/, '');
    transpile(path.join(__dirname, 'nodes', source), path.join(nodesDir, `${name}.js`));
    writeFileSync(path.join(nodesDir, `${name}.html`), html);
  }
  mkdirSync(path.join(userDir, 'node_modules'));
  const modules = options.modules ?? { 'node-red-contrib-kafka-trigger': options.packageDir ?? ROOT };
  for (const [name, dir] of Object.entries(modules)) {
    const link = path.join(userDir, 'node_modules', name);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.resolve(dir), link, 'dir');
  }
  writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow, null, 2));
  const port = await freePort();
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: port,
    // The admin API comes with the editor: its comms carry the nodes' statuses.
    ...(options.adminApi
      ? { telemetry: { enabled: false, updateNotification: false } }
      : { httpAdminRoot: false }),
    httpNodeRoot: false,
    flowFile: 'flows.json',
    credentialSecret: false,
    nodesDir: nodesDir,
    logging: { console: { level: 'warn', metrics: false, audit: false } },
  };
  // The FunctionBench is built in Node-RED's process as it reads its settings.
  const globals = options.functionBench
    ? `settings.functionGlobalContext = { bench: require('./bench-nodes/lib/function-bench.js').createBench(${JSON.stringify(options.functionBench)}) };\n`
    : '';
  writeFileSync(
    path.join(userDir, 'settings.js'),
    `const settings = ${JSON.stringify(settings, null, 2)};\n${globals}module.exports = settings;\n`,
  );
  return port;
}

function transpile(source: string, target: string): void {
  const output = ts.transpileModule(readFileSync(source, 'utf8'), {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
    fileName: source,
  });
  writeFileSync(target, output.outputText);
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** A child process that talks to the runner over IPC, in messages with a `type`. */
export class IpcChild<Message extends { type: string }> {
  private readonly messages: Message[] = [];
  private readonly waiters: (() => void)[] = [];
  private exit: string | undefined;

  constructor(
    readonly label: string,
    private readonly child: ChildProcess,
    readonly logFile: string | undefined,
    private readonly cleanUp: () => void,
  ) {
    child.on('message', (message: Message) => {
      this.messages.push(message);
      this.wake();
    });
    child.once('exit', (code, signal) => {
      this.exit = signal ? `signal ${signal}` : `code ${code}`;
      this.wake();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async stop(): Promise<void> {
    if (this.exit === undefined && this.child.exitCode === null) {
      const exited = once(this.child, 'exit');
      this.child.kill('SIGINT');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    this.cleanUp();
  }

  request(request: { type: string }): void {
    if (this.child.connected) this.child.send(request);
  }

  /** The next message of one of `types`, taken off the queue. */
  async next<Type extends Message['type']>(
    types: Type | Type[],
    timeoutMs: number,
  ): Promise<Extract<Message, { type: Type }>> {
    const wanted: string[] = Array.isArray(types) ? types : [types];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.messages.findIndex((message) => wanted.includes(message.type));
      if (index >= 0) return this.messages.splice(index, 1)[0] as Extract<Message, { type: Type }>;
      if (this.exit !== undefined)
        throw new Error(`${this.label} process exited (${this.exit})${this.logTail()}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `${this.label}: no '${wanted.join("' or '")}' within ${timeoutMs} ms${this.logTail()}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** The last lines of the Node-RED log, indented, or nothing. */
  logTail(): string {
    if (!this.logFile) return '';
    try {
      const lines = readFileSync(this.logFile, 'utf8').trim().split('\n').slice(-20);
      return `\n  Node-RED log:\n  ${lines.join('\n  ')}`;
    } catch {
      return '';
    }
  }
}

class ProbedChild extends IpcChild<ProbeMessage> implements ConsumerProcess {
  async waitReady(timeoutMs = 60_000): Promise<void> {
    await this.next('ready', timeoutMs);
  }

  async waitDrained(timeoutMs: number): Promise<ProbeReport> {
    return (await this.next('drained', timeoutMs)).report;
  }

  async report(): Promise<ProbeReport> {
    this.request({ type: 'report' } satisfies ProbeRequest);
    return (await this.next('report', 30_000)).report;
  }

  reset(): void {
    this.request({ type: 'reset' } satisfies ProbeRequest);
  }
}
