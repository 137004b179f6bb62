// Runs a real Apache Kafka broker (KRaft, one node) as a child JVM for the tests.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import {
  BoundListener,
  KafkaListenerSpec,
  firstPlaintextListener,
  listenerAddress,
  renderServerProperties,
  withPlaintextListener,
} from './broker-config';
import { DEFAULT_KAFKA_VERSION, ensureKafkaClasspath, javaArgs } from './java';
import {
  RestartableJvmServer,
  RunningJvm,
  deleteNow,
  deleteOnExit,
  hasExited,
  spawnJvm,
  stopJvm,
  summarizeJvmLog,
} from './jvm-process';
import { findFreePorts } from './ports';
import { runCommand, tail } from './run-command';
import { withAdmin } from './topics';

export type { KafkaListenerSpec, SecurityProtocol } from './broker-config';
export { ensureKafkaClasspath } from './java';
export { produceWithJavaClient } from './java-producer';
export type { JavaCompression } from './java-producer';
export { createTopic } from './topics';

export interface ScramUser {
  mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  username: string;
  password: string;
}

export interface LocalKafkaOptions {
  /** Kafka release, e.g. 4.1.1 (default) or 3.9.1. */
  version?: string;
  /** Reused when it already holds a formatted broker; a temp dir is made (and later deleted) when omitted. */
  dataDir?: string;
  /** Client listeners; default one PLAINTEXT listener. A PLAINTEXT listener is added when none is given. */
  listeners?: KafkaListenerSpec[];
  /** Extra or overriding server.properties entries. */
  brokerConfig?: Record<string, string>;
  /** SCRAM credentials written into the cluster metadata when the storage is formatted. */
  scramUsers?: ScramUser[];
  /** Where the broker's output goes; default broker.log in the data dir. */
  logFile?: string;
  /** JVM options added after the defaults (a later -Xmx wins). */
  jvmOptions?: string[];
  /**
   * Create the group coordinator's topic before returning (default true). False leaves the broker
   * as fresh as a new cluster: the first consumer group waits while its coordinator is elected.
   */
  warmUpGroupCoordinator?: boolean;
}

export interface LocalKafka extends RestartableJvmServer {
  version: string;
  /** host:port of the first PLAINTEXT listener. */
  bootstrap: string;
  /** Listener name -> 127.0.0.1:port. */
  listeners: Record<string, string>;
  /** The broker's log.dirs: one directory per partition, `<topic>-<partition>`, holding its segments. */
  logDir: string;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
const DEFAULT_JVM_OPTIONS = ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC', '-Djava.awt.headless=true'];
/** log4j2.xml's pattern puts the level after the bracketed timestamp. */
const KAFKA_LOG_ERROR = /\] (ERROR|FATAL) /;

export async function startLocalKafka(options: LocalKafkaOptions = {}): Promise<LocalKafka> {
  const version = options.version ?? DEFAULT_KAFKA_VERSION;
  const classpath = await ensureKafkaClasspath(version);
  const specs = withPlaintextListener(options.listeners ?? [{ name: 'PLAINTEXT', protocol: 'PLAINTEXT' }]);
  const [controllerPort, ...freePorts] = await findFreePorts(specs.length + 1);
  const listeners = specs.map((spec, index) => ({ ...spec, port: spec.port ?? freePorts[index] }));
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'kafka-harness-'));
  if (ownsDataDir) deleteOnExit(dataDir);
  const broker = new LocalKafkaBroker({
    ...options,
    version,
    classpath,
    listeners,
    controllerPort,
    dataDir,
    ownsDataDir,
  });
  try {
    await broker.start();
  } catch (error) {
    if (ownsDataDir) deleteNow(dataDir);
    throw error;
  }
  return broker;
}

interface BrokerSettings extends LocalKafkaOptions {
  version: string;
  classpath: string;
  listeners: BoundListener[];
  controllerPort: number;
  dataDir: string;
  ownsDataDir: boolean;
}

class LocalKafkaBroker implements LocalKafka {
  readonly version: string;
  readonly bootstrap: string;
  readonly listeners: Record<string, string>;
  readonly dataDir: string;
  readonly logFile: string;
  private jvm: RunningJvm | undefined;

  constructor(private readonly settings: BrokerSettings) {
    this.version = settings.version;
    this.bootstrap = listenerAddress(firstPlaintextListener(settings.listeners));
    this.listeners = Object.fromEntries(
      settings.listeners.map((listener) => [listener.name, listenerAddress(listener)]),
    );
    this.dataDir = settings.dataDir;
    this.logFile = settings.logFile ?? path.join(settings.dataDir, 'broker.log');
  }

  get pid(): number | undefined {
    return this.jvm && !hasExited(this.jvm) ? this.jvm.child.pid : undefined;
  }

  get logDir(): string {
    return path.join(this.dataDir, 'logs');
  }

  private get propertiesFile(): string {
    return path.join(this.dataDir, 'server.properties');
  }

  async start(): Promise<void> {
    if (this.pid !== undefined) return;
    mkdirSync(this.dataDir, { recursive: true });
    writeFileSync(this.propertiesFile, renderServerProperties({ ...this.settings, logDir: this.logDir }));
    if (!existsSync(path.join(this.logDir, 'meta.properties'))) await this.formatStorage();
    this.jvm = this.spawnBroker();
    try {
      await this.waitUntilReady(this.jvm);
      if (this.settings.warmUpGroupCoordinator ?? true) await this.warmUpGroupCoordinator();
    } catch (error) {
      await this.stop('SIGKILL');
      throw error;
    }
  }

  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    if (!this.jvm) return;
    await stopJvm(this.jvm, signal, STOP_TIMEOUT_MS);
    this.jvm = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop();
    if (this.settings.ownsDataDir) deleteNow(this.dataDir);
  }

  private async formatStorage(): Promise<void> {
    const scramArgs = (this.settings.scramUsers ?? []).flatMap((user) => [
      '--add-scram',
      scramArgument(user),
    ]);
    const args = [
      ...javaArgs(this.settings.classpath, 'WARN'),
      'kafka.tools.StorageTool',
      'format',
      '--cluster-id',
      newClusterId(),
      '--config',
      this.propertiesFile,
      ...scramArgs,
    ];
    const result = await runCommand('java', args);
    if (result.code !== 0) {
      throw new Error(
        `Formatting Kafka storage in ${this.dataDir} failed:\n${tail(result.stdout + result.stderr)}`,
      );
    }
  }

  private spawnBroker(): RunningJvm {
    const jvmOptions = [...DEFAULT_JVM_OPTIONS, ...(this.settings.jvmOptions ?? [])];
    const args = [
      ...jvmOptions,
      ...javaArgs(this.settings.classpath, 'INFO'),
      'kafka.Kafka',
      this.propertiesFile,
    ];
    return spawnJvm(args, this.dataDir, this.logFile);
  }

  /**
   * The first consumer group makes the broker create __consumer_offsets; doing that here keeps
   * "coordinator not available" retries and their delay out of the first test that uses a group.
   */
  private async warmUpGroupCoordinator(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      try {
        await withAdmin(this, (admin) =>
          admin.fetchOffsets({ groupId: 'kafka-harness-warm-up', topics: [] }),
        );
        return;
      } catch (error) {
        // Until the topic is loaded the broker may also answer "not the correct coordinator",
        // which kafkajs's admin does not retry; on a busy machine that lasts a while.
        if (Date.now() > deadline) throw error;
        await sleep(250);
      }
    }
  }

  /** Ready means the broker answers metadata requests and lists itself, i.e. it is registered and unfenced. */
  private async waitUntilReady(jvm: RunningJvm): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (hasExited(jvm)) {
        throw new Error(`Kafka ${this.version} exited during startup. ${this.logExcerpt()}`);
      }
      if (await this.answersMetadata()) return;
      await sleep(250);
    }
    throw new Error(
      `Kafka ${this.version} was not ready after ${READY_TIMEOUT_MS / 1000} s. ${this.logExcerpt()}`,
    );
  }

  private async answersMetadata(): Promise<boolean> {
    const kafka = new Kafka({
      clientId: 'kafka-harness-probe',
      brokers: [this.bootstrap],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 2000,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const { brokers } = await admin.describeCluster();
      return brokers.length > 0;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private logExcerpt(): string {
    return summarizeJvmLog(this.logFile, KAFKA_LOG_ERROR);
  }
}

/** A cluster id as Kafka's Uuid prints it: 16 random bytes, base64url without padding. */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    // Kafka avoids ids starting with '-' because command line parsers take them for options.
    if (!id.startsWith('-')) return id;
  }
}

function scramArgument({ mechanism, username, password }: ScramUser): string {
  // StorageTool parses `MECHANISM=[name=...,password=...]`; these characters would break that syntax.
  if (/[[\],="]/.test(username + password)) {
    throw new Error(`SCRAM user "${username}": name and password must not contain [ ] , = or "`);
  }
  return `${mechanism}=[name=${username},password=${password}]`;
}
