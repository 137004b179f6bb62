// Long-running JVMs (the brokers) and their temp dirs, with the guarantee that none outlives this
// process: whatever is still running or undeleted when it exits, fails or is interrupted is cleaned up.
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tail } from './run-command';

/** A test server run as a child JVM that can be stopped and started again on the same data and ports. */
export interface RestartableJvmServer {
  dataDir: string;
  logFile: string;
  /** The JVM's pid while it runs, undefined once it has exited. */
  pid: number | undefined;
  /** SIGTERM shuts down cleanly; SIGKILL is for crash tests. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts again on the same data dir and ports. */
  start(): Promise<void>;
  /** Stops the server and deletes the data dir if the harness made it. */
  destroy(): Promise<void>;
}

export interface RunningJvm {
  child: ChildProcess;
  exited: Promise<void>;
}

const runningJvms = new Set<RunningJvm>();
const dirsToDelete = new Set<string>();
let exitHooksInstalled = false;

/** Starts `java args` in its own process group with stdout and stderr appended to `logFile`. */
export function spawnJvm(args: string[], cwd: string, logFile: string): RunningJvm {
  const logFd = openSync(logFile, 'a');
  try {
    // Own process group: stopping the group also stops anything the JVM forked.
    const child = spawn('java', args, { cwd, detached: true, stdio: ['ignore', logFd, logFd] });
    // A broker left running must not keep the test runner alive; the exit hook kills it.
    child.unref();
    const jvm = { child, exited: new Promise<void>((resolve) => child.once('exit', () => resolve())) };
    installExitHooks();
    runningJvms.add(jvm);
    void jvm.exited.then(() => runningJvms.delete(jvm));
    return jvm;
  } finally {
    closeSync(logFd);
  }
}

export function hasExited(jvm: RunningJvm): boolean {
  return jvm.child.exitCode !== null || jvm.child.signalCode !== null;
}

/** Sends `signal` and waits for the exit; a JVM still running after `timeoutMs` gets SIGKILL. */
export async function stopJvm(
  jvm: RunningJvm,
  signal: 'SIGTERM' | 'SIGKILL',
  timeoutMs: number,
): Promise<void> {
  killProcessGroup(jvm, signal);
  if (await exitsWithin(jvm, timeoutMs)) return;
  killProcessGroup(jvm, 'SIGKILL');
  await jvm.exited;
}

export function deleteOnExit(dir: string): void {
  installExitHooks();
  dirsToDelete.add(dir);
}

export function deleteNow(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirsToDelete.delete(dir);
}

/**
 * The first errors (lines matching `errorLine`, each with the exception line after it) and the end of
 * a JVM's log, for a failed start: the cause is rarely last.
 */
export function summarizeJvmLog(logFile: string, errorLine: RegExp): string {
  if (!existsSync(logFile)) return `No log at ${logFile}.`;
  const log = readFileSync(logFile, 'utf8');
  const lines = log.split('\n');
  const errors = lines.flatMap((line, index) => (errorLine.test(line) ? [line, lines[index + 1] ?? ''] : []));
  return [
    `First errors in ${logFile}:`,
    ...(errors.length > 0 ? errors.slice(0, 6) : ['(none)']),
    'Last lines:',
    tail(log, 20),
  ].join('\n');
}

function exitsWithin(jvm: RunningJvm, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    // Cleared on exit, so a finished stop() leaves no timer that would hold the process open.
    const timer = setTimeout(() => resolve(false), timeoutMs);
    void jvm.exited.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function killProcessGroup(jvm: RunningJvm, signal: NodeJS.Signals): void {
  const pid = jvm.child.pid;
  if (pid === undefined || hasExited(jvm)) return;
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', cleanUpNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      // Another handler (a CLI, a test runner) owns this signal and decides when to exit;
      // the exit hook still cleans up whatever it leaves behind.
      if (process.listenerCount(signal) > 1) return;
      cleanUpNow();
      // Die of the signal as if nobody had listened: the exit hook does not run in that case.
      process.off(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Synchronous, because it also runs in the `exit` event. */
function cleanUpNow(): void {
  for (const jvm of runningJvms) killProcessGroup(jvm, 'SIGKILL');
  runningJvms.clear();
  for (const dir of dirsToDelete) rmSync(dir, { recursive: true, force: true });
  dirsToDelete.clear();
}
