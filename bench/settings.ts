// What a bench run does, from the environment. BENCH_QUICK=1 gives a small run (about 2 minutes).
import type { ProbeMode } from './nodes/lib/probe';

export type Phase = 'throughput' | 'memory' | 'latency';

export interface BenchSettings {
  /** Records preloaded into the backlog topic. */
  records: number;
  /** Approximate size of each record's JSON value, bytes. */
  valueBytes: number;
  partitions: number;
  /** Rounds of (ceiling, product) in the throughput phase. */
  rounds: number;
  /** Steady produce rates for the latency phase, records/s. */
  rates: number[];
  latencySeconds: number;
  /** The slow downstream node's time per message, ms. */
  slowMs: number;
  phases: Phase[];
  /** Directory of the package linked into Node-RED (default: this repository). */
  packageDir: string | undefined;
  /** A commit to export, build and measure instead of the working tree. */
  commit: string | undefined;
  /** Where the Node-RED process writes --cpu-prof profiles during throughput rounds, if anywhere. */
  cpuProfDir: string | undefined;
  /** Kafka release for the broker. */
  kafkaVersion: string | undefined;
  /** Fetch sizes of the tuned ceiling (kafkajs consumer options). */
  tunedFetch: FetchOptions;
}

/** The kafkajs consumer options that size fetches. */
export interface FetchOptions {
  maxBytes?: number;
  maxBytesPerPartition?: number;
  minBytes?: number;
  maxWaitTimeInMs?: number;
}

/** Larger fetches than kafkajs's defaults (1 MiB per partition, 10 MiB per fetch). */
export const TUNED_FETCH: FetchOptions = { maxBytesPerPartition: 5 * 2 ** 20, maxBytes: 50 * 2 ** 20 };

/** What a consumer child process (ceiling worker or Node-RED sink) is told to do. */
export interface WorkerConfig {
  brokers: string;
  topic: string;
  groupId: string;
  startFrom: 'earliest' | 'newest';
  mode: ProbeMode;
  expected: number;
  /** Ceiling only: fetch options on top of kafkajs's defaults (the product uses the defaults). */
  fetch?: FetchOptions;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const quick = env.BENCH_QUICK === '1';
  return {
    records: positive(env, 'BENCH_RECORDS', quick ? 50_000 : 500_000),
    valueBytes: positive(env, 'BENCH_VALUE_BYTES', 200),
    partitions: positive(env, 'BENCH_PARTITIONS', 6),
    rounds: positive(env, 'BENCH_ROUNDS', quick ? 1 : 2),
    rates: list(env.BENCH_RATES, [1000, 10000]),
    latencySeconds: positive(env, 'BENCH_LATENCY_SECONDS', quick ? 5 : 20),
    slowMs: positive(env, 'BENCH_SLOW_MS', 2),
    phases: phases(env.BENCH_PHASES),
    packageDir: env.BENCH_PACKAGE_DIR || undefined,
    commit: env.BENCH_COMMIT || undefined,
    cpuProfDir: env.BENCH_CPU_PROF_DIR || undefined,
    kafkaVersion: env.BENCH_KAFKA_VERSION || undefined,
    tunedFetch: env.BENCH_TUNED_FETCH ? (JSON.parse(env.BENCH_TUNED_FETCH) as FetchOptions) : TUNED_FETCH,
  };
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not ${raw}`);
  return value;
}

function list(raw: string | undefined, fallback: number[]): number[] {
  if (!raw) return fallback;
  const values = raw.split(',').map((part) => Number(part.trim()));
  if (values.some((value) => !Number.isFinite(value) || value <= 0))
    throw new Error(`BENCH_RATES must be comma-separated positive numbers, not ${raw}`);
  return values;
}

function phases(raw: string | undefined): Phase[] {
  const all: Phase[] = ['throughput', 'memory', 'latency'];
  if (!raw) return all;
  const chosen = raw.split(',').map((part) => part.trim());
  for (const phase of chosen)
    if (!all.includes(phase as Phase)) throw new Error(`BENCH_PHASES: unknown phase ${phase}`);
  return chosen as Phase[];
}
