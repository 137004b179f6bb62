// Runs a real Confluent-compatible Schema Registry (Apicurio Registry 2.4.2.Final) as a child JVM for
// the tests, on 127.0.0.1, with its schemas in an H2 file database in its data dir.
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  RestartableJvmServer,
  RunningJvm,
  deleteNow,
  deleteOnExit,
  hasExited,
  spawnJvm,
  stopJvm,
  summarizeJvmLog,
} from '../kafka/jvm-process';
import { findFreePorts } from '../kafka/ports';
import { SchemaRegistryBuild, ensureSchemaRegistryBuild } from './build';

export { ensureSchemaRegistryBuild, schemaRegistryCacheDir } from './build';
export type { SchemaRegistryBuild } from './build';

/** The path under which Apicurio serves the Confluent Schema Registry API (v7). */
export const CONFLUENT_API_PATH = '/apis/ccompat/v7';

export interface LocalSchemaRegistryOptions {
  /** Reused (with the schemas it holds) when given; a temp dir is made, and later deleted, when omitted. */
  dataDir?: string;
  /** Port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /** Where the registry's output goes; default registry.log in the data dir. */
  logFile?: string;
  /** JVM options added after the defaults (a later -Xmx wins). */
  jvmOptions?: string[];
  /** Extra or overriding Quarkus/Apicurio settings, passed as -D system properties. */
  properties?: Record<string, string>;
}

/** start() keeps the port and the data dir, so the same schemas and ids; SIGTERM lets H2 close its file cleanly. */
export interface LocalSchemaRegistry extends RestartableJvmServer {
  /** Base URL of the Confluent-compatible API, `http://127.0.0.1:<port>/apis/ccompat/v7`: what clients take. */
  url: string;
  /** `http://127.0.0.1:<port>`: Apicurio's own API, /health/ready and the UI live under it. */
  rootUrl: string;
  port: number;
}

const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;
/** C1 only and the serial collector: start-up matters more than peak speed for a test registry. */
const DEFAULT_JVM_OPTIONS = [
  '-Xms64m',
  '-Xmx256m',
  '-XX:TieredStopAtLevel=1',
  '-XX:+UseSerialGC',
  '-Djava.awt.headless=true',
];
/** Quarkus's console format as Apicurio sets it: `2026-01-31 12:00:00 ERROR <tenant> [category] ...`. */
const QUARKUS_LOG_ERROR = /^\S+ \S+ (ERROR|FATAL) /;

export async function startLocalSchemaRegistry(
  options: LocalSchemaRegistryOptions = {},
): Promise<LocalSchemaRegistry> {
  const build = await ensureSchemaRegistryBuild();
  const port = options.port ?? (await findFreePorts(1))[0];
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'schema-registry-harness-'));
  if (ownsDataDir) deleteOnExit(dataDir);
  const registry = new ApicurioRegistry({ ...options, build, port, dataDir, ownsDataDir });
  try {
    await registry.start();
  } catch (error) {
    if (ownsDataDir) deleteNow(dataDir);
    throw error;
  }
  return registry;
}

interface RegistrySettings extends LocalSchemaRegistryOptions {
  build: SchemaRegistryBuild;
  port: number;
  dataDir: string;
  ownsDataDir: boolean;
}

class ApicurioRegistry implements LocalSchemaRegistry {
  readonly url: string;
  readonly rootUrl: string;
  readonly port: number;
  readonly dataDir: string;
  readonly logFile: string;
  private jvm: RunningJvm | undefined;

  constructor(private readonly settings: RegistrySettings) {
    this.port = settings.port;
    this.rootUrl = `http://127.0.0.1:${settings.port}`;
    this.url = `${this.rootUrl}${CONFLUENT_API_PATH}`;
    this.dataDir = settings.dataDir;
    this.logFile = settings.logFile ?? path.join(settings.dataDir, 'registry.log');
  }

  get pid(): number | undefined {
    return this.jvm && !hasExited(this.jvm) ? this.jvm.child.pid : undefined;
  }

  async start(): Promise<void> {
    if (this.pid !== undefined) return;
    mkdirSync(this.dataDir, { recursive: true });
    this.jvm = spawnJvm(this.jvmArgs(), this.dataDir, this.logFile);
    try {
      await this.waitUntilReady(this.jvm);
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

  private jvmArgs(): string[] {
    const properties: Record<string, string> = {
      'quarkus.http.host': '127.0.0.1',
      'quarkus.http.port': String(this.port),
      // Apicurio's default storage is SQL on H2 in memory; its prod profile reads the JDBC URL from
      // REGISTRY_DATASOURCE_URL, which system properties can set as well as the environment. H2 flushes
      // each commit at once (WRITE_DELAY=0), so a schema survives even stop('SIGKILL').
      REGISTRY_DATASOURCE_URL: `jdbc:h2:file:${path.join(this.dataDir, 'registry')};WRITE_DELAY=0`,
      ...this.settings.properties,
    };
    return [
      ...DEFAULT_JVM_OPTIONS,
      ...(this.settings.jvmOptions ?? []),
      ...Object.entries(properties).map(([name, value]) => `-D${name}=${value}`),
      '-jar',
      this.settings.build.runnerJar,
    ];
  }

  /** Ready means /health/ready answers UP: storage initialised and the HTTP server up. */
  private async waitUntilReady(jvm: RunningJvm): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (hasExited(jvm)) throw new Error(`The Schema Registry exited during startup. ${this.logExcerpt()}`);
      if (await this.isReady()) return;
      await sleep(250);
    }
    throw new Error(
      `The Schema Registry was not ready after ${READY_TIMEOUT_MS / 1000} s. ${this.logExcerpt()}`,
    );
  }

  private async isReady(): Promise<boolean> {
    try {
      const response = await fetch(`${this.rootUrl}/health/ready`, { signal: AbortSignal.timeout(2000) });
      const body = (await response.json()) as { status?: string };
      return response.ok && body.status === 'UP';
    } catch {
      return false;
    }
  }

  private logExcerpt(): string {
    return summarizeJvmLog(this.logFile, QUARKUS_LOG_ERROR);
  }
}
