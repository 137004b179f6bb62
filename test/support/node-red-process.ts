// A real Node-RED started as a child process: a user dir with this package linked in (as `npm start`
// does), a flows file, and `node red.js` on a free loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { findFreePorts } from '../../scripts/kafka/ports';
import type { FlowNode } from './flows';
import { waitFor } from './wait';

const ROOT = path.resolve(__dirname, '..', '..');

export interface NodeRedProcessOptions {
  /** Where the user dir, settings and log go; a temp dir, deleted by stop(), when omitted. */
  dir?: string;
  flows?: FlowNode[];
  /** Runtime settings over the defaults (loopback, no telemetry, unencrypted credentials). */
  settings?: Record<string, unknown>;
  /** Console log level; default warn. */
  logLevel?: string;
  /** Node.js binary; default this process's. */
  nodeBinary?: string;
  /** node-red's red.js; default the dev dependency. */
  redJs?: string;
  /** Link this repository into the user dir's node_modules (default true). */
  linkPackage?: boolean;
  /** Environment variables over this process's. */
  env?: NodeJS.ProcessEnv;
  /** Also hand every runtime log line, at any level, to a handler that keeps it for logRecords(). */
  recordLog?: boolean;
}

/** One line of the runtime log, as Node-RED hands it to its log handlers (the debug sidebar's too). */
export interface RuntimeLogRecord {
  /** Node-RED's numeric level: 20 error, 30 warn, 40 info, 50 debug, 60 trace. */
  level: number;
  /** The node that logged it, for a node's own log, warn and error. */
  id?: string;
  type?: string;
  msg: string;
}

export interface NodeRedProcess {
  child: ChildProcess;
  baseUrl: string;
  userDir: string;
  logFile: string;
  /** Everything the runtime printed so far. */
  log(): string;
  /** Every runtime log line so far; empty unless started with recordLog. */
  logRecords(): RuntimeLogRecord[];
  logTail(lines?: number): string;
  /** Sends the signal and waits for the exit (SIGKILL after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export async function startNodeRedProcess(options: NodeRedProcessOptions = {}): Promise<NodeRedProcess> {
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'kafka-trigger-node-red-'));
  const userDir = path.join(dir, 'user');
  mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  if (options.linkPackage ?? true) {
    symlinkSync(ROOT, path.join(userDir, 'node_modules', 'node-red-contrib-kafka-trigger'), 'dir');
  }
  writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(options.flows ?? [], null, 2));
  const [port] = await findFreePorts(1);
  const settingsFile = path.join(dir, 'settings.js');
  const settings = {
    uiHost: '127.0.0.1',
    flowFile: 'flows.json',
    credentialSecret: false,
    telemetry: { enabled: false, updateNotification: false },
    externalModules: { autoInstall: false },
    logging: { console: { level: options.logLevel ?? 'warn', metrics: false, audit: false } },
    ...options.settings,
  };
  const recordsFile = path.join(dir, 'node-red-log.jsonl');
  writeFileSync(
    settingsFile,
    options.recordLog
      ? `const settings = ${JSON.stringify(settings)};\n${logRecorder(recordsFile)}\nmodule.exports = settings;\n`
      : `module.exports = ${JSON.stringify(settings)};\n`,
  );
  const logFile = path.join(dir, 'node-red.log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    options.nodeBinary ?? process.execPath,
    [
      options.redJs ?? require.resolve('node-red/red.js'),
      '--userDir',
      userDir,
      '--port',
      String(port),
      '--settings',
      settingsFile,
    ],
    { cwd: dir, env: { ...process.env, ...options.env }, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const baseUrl = `http://127.0.0.1:${port}`;
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const logTail = (lines = 30): string => log().trimEnd().split('\n').slice(-lines).join('\n');
  const logRecords = (): RuntimeLogRecord[] =>
    existsSync(recordsFile)
      ? readFileSync(recordsFile, 'utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as RuntimeLogRecord)
      : [];
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 15000): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    if (ownsDir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`Node-RED exited with ${child.exitCode}:\n${logTail()}`);
        // /auth/login answers without authentication even when adminAuth is on.
        return (await fetch(`${baseUrl}/auth/login`)).ok;
      },
      90000,
      `Node-RED on ${baseUrl}`,
    );
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
  return { child, baseUrl, userDir, logFile, log, logRecords, logTail, stop };
}

/** Settings code (plain JavaScript) that adds a trace-level log handler writing each line as JSON to `file`. */
function logRecorder(file: string): string {
  return `const { appendFileSync } = require('node:fs');
const { inspect } = require('node:util');
settings.logging.recorder = {
  level: 'trace',
  handler: () => (msg) => {
    const text = typeof msg.msg === 'string' ? msg.msg : inspect(msg.msg);
    const line = JSON.stringify({ level: msg.level, id: msg.id, type: msg.type, msg: text });
    appendFileSync(${JSON.stringify(file)}, line + '\\n');
  },
};`;
}

/** Deploys `flows` through the admin API as a full or modified-nodes deploy; resolves once Node-RED has started them. */
export async function deployFlows(
  proc: NodeRedProcess,
  flows: FlowNode[],
  type: 'full' | 'nodes' | 'flows' = 'full',
): Promise<void> {
  const response = await fetch(`${proc.baseUrl}/flows`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': type },
    body: JSON.stringify(flows),
  });
  if (!response.ok) throw new Error(`deploy failed: ${response.status} ${await response.text()}`);
}

type StatusEvent = { topic: string; data?: { text?: string } };

/**
 * The status text a node shows now, as the editor gets it: Node-RED keeps each node's latest status
 * on its comms channel and sends it to every new subscriber. Undefined when the node has none.
 */
export async function nodeStatus(proc: NodeRedProcess, id: string): Promise<string | undefined> {
  const socket = new WebSocket(`${proc.baseUrl.replace('http', 'ws')}/comms`);
  try {
    return await new Promise<string | undefined>((resolve, reject) => {
      // Retained statuses follow the subscription at once; a node with none sends nothing.
      const timer = setTimeout(() => resolve(undefined), 1000);
      socket.on('error', reject);
      socket.on('open', () => socket.send(JSON.stringify({ subscribe: `status/${id}` })));
      socket.on('message', (raw) => {
        // With the default binaryType, ws hands over each message as one Buffer.
        const events = JSON.parse((raw as Buffer).toString()) as StatusEvent[];
        for (const event of events) {
          if (event.topic !== `status/${id}`) continue;
          clearTimeout(timer);
          resolve(event.data?.text?.replace('kafka-trigger.status.', ''));
        }
      });
    });
  } finally {
    socket.close();
  }
}
