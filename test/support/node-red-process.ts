// A real Node-RED started as a child process, with this package linked into a fresh user directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
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
import { findFreePorts } from '../../scripts/kafka/ports';
import { waitFor } from './wait';

const ROOT = path.resolve(__dirname, '..', '..');

export interface NodeRedProcessOptions {
  /** The flows file the runtime starts with. */
  flows?: unknown[];
  /** Runtime settings added to the defaults (loopback only, no telemetry, info log level). */
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
}

export interface NodeRedProcess {
  url: string;
  userDir: string;
  /** Everything the runtime printed so far. */
  log(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startNodeRedProcess(options: NodeRedProcessOptions = {}): Promise<NodeRedProcess> {
  const userDir = mkdtempSync(path.join(tmpdir(), 'kafka-trigger-node-red-'));
  mkdirSync(path.join(userDir, 'node_modules'));
  symlinkSync(ROOT, path.join(userDir, 'node_modules', 'node-red-contrib-kafka-trigger'), 'dir');
  writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(options.flows ?? []));
  const [port] = await findFreePorts(1);
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: port,
    flowFile: 'flows.json',
    telemetry: { enabled: false, updateNotification: false },
    externalModules: { autoInstall: false },
    logging: { console: { level: 'info', metrics: false, audit: false } },
    ...options.settings,
  };
  writeFileSync(
    path.join(userDir, 'settings.js'),
    `module.exports = ${JSON.stringify(settings, null, 2)};\n`,
  );

  const logFile = path.join(userDir, 'node-red.log');
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      require.resolve('node-red/red.js'),
      '--userDir',
      userDir,
      '--settings',
      path.join(userDir, 'settings.js'),
    ],
    { env: { ...process.env, ...options.env }, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const log = () => readFileSync(logFile, 'utf8');
  const url = `http://127.0.0.1:${port}`;
  const stop = async (signal: NodeJS.Signals = 'SIGINT') => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      await once(child, 'exit');
    }
    rmSync(userDir, { recursive: true, force: true });
  };
  try {
    // /auth/login answers without authentication even when adminAuth is on.
    await waitFor(async () => (await fetch(`${url}/auth/login`)).ok, 60000, 'Node-RED to answer');
  } catch (error) {
    const output = log();
    await stop('SIGKILL');
    throw new Error(`${(error as Error).message}\n${output.slice(-3000)}`);
  }
  return { url, userDir, log, stop };
}
