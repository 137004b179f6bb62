// What a bench run does, from the environment. BENCH_QUICK=1 gives a small run (about 3 minutes).
import type { Downstream } from './children';
import type { ProbeMode } from './nodes/lib/probe';

/** `flow` is the produce part's function-node flow (the consume part has no such phase). */
export type Phase = 'throughput' | 'memory' | 'latency' | 'flow';
/**
 * consume: kafka-trigger against a kafkajs consumer; produce: kafka-produce against a kafkajs
 * producer; formats: the trigger on Avro through the Schema Registry beside JSON (bench/formats.ts);
 * peers: kafka-trigger against the other Node-RED Kafka packages (bench/peers.ts); exactly-once:
 * a topic-to-topic pipeline with exactly-once delivery beside complete delivery (bench/exactly-once.ts).
 */
export type Part = 'consume' | 'produce' | 'formats' | 'peers' | 'exactly-once';

/** `product` is the trigger with hand-off delivery, `complete` with complete delivery, `batch` with batch output. */
export type ConsumeSide = 'ceiling' | 'tuned' | 'product' | 'complete' | 'batch';

export interface BenchSettings {
  parts: Part[];
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
  /** max_in_flight of the product's complete-delivery side (BENCH_MAX_IN_FLIGHT; default: the product's). */
  maxInFlight: number | undefined;
  /** max_batch_size of the product's batch-output side (BENCH_BATCH_SIZE). */
  batchSize: number;
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
  /** Which of ceiling, tuned, product and batch run in the throughput phase (variants always do). */
  consumeSides: ConsumeSide[];
  /** More product sides in the throughput phase: other built copies of the package, by label. */
  consumeVariants: Variant[];
  produce: ProduceBenchSettings;
  peers: PeersBenchSettings;
  exactlyOnce: ExactlyOnceBenchSettings;
}

/** Another built copy of the package measured beside the working tree. */
export interface Variant {
  label: string;
  dir: string;
  /** Consume variants only: measured with complete delivery instead of hand-off. */
  complete?: boolean;
}

/** The peers part (bench/peers.ts): one backlog drained by each contender in turn. */
export interface PeersBenchSettings {
  records: number;
  /** Which contenders run, by id (default: all). */
  contenders: string[] | undefined;
  /** The counting nodes each Node-RED contender runs with, one drain each per round. */
  downstreams: Downstream[];
  rounds: number;
  /** A contender that has counted nothing this long after its start gets a row saying so. */
  firstRecordSeconds: number;
  /** A contender that has not counted every record this long after its first one is stopped. */
  drainSeconds: number;
}

/**
 * The exactly-once part (bench/exactly-once.ts): kafka-trigger -> function -> kafka-produce from one
 * topic to another, with complete delivery and with exactly-once delivery. Its phases are throughput
 * and latency of BENCH_PHASES; value size and partitions are the consume part's.
 */
export interface ExactlyOnceBenchSettings {
  /** Records preloaded into the source topic for the throughput rounds. */
  records: number;
  rounds: number;
  /** Latency runs: records/s, seconds measured (after 2 s of warm-up). */
  rate: number;
  latencySeconds: number;
  /** transaction_interval of each exactly-once side, ms; none: one side with the setting's default. */
  transactionIntervals: number[];
}

/** The produce part (bench/produce.ts). Its phases are throughput and latency of BENCH_PHASES. */
export interface ProduceBenchSettings {
  /** Value sizes, bytes, each with the records of its throughput runs. */
  sizes: { valueBytes: number; records: number }[];
  partitions: number;
  rounds: number;
  /** Records written and acknowledged before each measured throughput run. */
  warmUpRecords: number;
  /** Latency runs: records/s, seconds measured (after 2 s of warm-up). */
  rate: number;
  latencySeconds: number;
  /** The Node-RED source's msgs not yet acknowledged, at most (the node's maxWaiting). */
  window: number;
  /** Raw send() per record: calls in flight, and the share of the records it writes (it is slow). */
  rawWindow: number;
  rawWindowShare: number;
  /** Raw batched: the node's batch limits (WRITER_LIMITS in src/nodes/kafka-produce.ts) and batches in flight. */
  rawBatchRecords: number;
  rawBatchBytes: number;
  rawInFlight: number;
  /** Which of raw-window, raw-batched and product run (variants always do). */
  sides: string[];
  /** More product sides: other built copies of the package (e.g. with other writer limits), by label. */
  variants: Variant[];
  flow: ProduceFlowSettings;
}

/**
 * The flow phase (bench/produce-flow.ts): a function node emits the records in bursts into
 * kafka-produce and a function node counts the acknowledged msgs, beside a kafkajs producer
 * sending batches of the burst size.
 */
export interface ProduceFlowSettings {
  records: number;
  valueBytes: number;
  burst: number;
  /** Bursts emitted and not yet acknowledged, at most (kafka-produce refuses msgs beyond 10,000). */
  burstsInFlight: number;
  partitions: number;
  rounds: number;
  /** Which of raw (kafkajs batches), product and floor (the flow without kafka-produce) run; variants always do. */
  sides: string[];
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
  /** Ceiling only, drain mode: JSON.parse every record's value (the peers bench's baseline). */
  parse?: boolean;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const quick = env.BENCH_QUICK === '1';
  const produceRecords = list(
    env.BENCH_PRODUCE_RECORDS,
    quick ? [20_000, 3_000] : [200_000, 30_000],
    'BENCH_PRODUCE_RECORDS',
  );
  const sizes = list(env.BENCH_PRODUCE_SIZES, [200, 10240], 'BENCH_PRODUCE_SIZES').map(
    (valueBytes, index) => ({
      valueBytes,
      records: produceRecords[Math.min(index, produceRecords.length - 1)],
    }),
  );
  const [rawBatchRecords, rawBatchBytes] = list(env.BENCH_RAW_BATCH, [5000, 1_000_000], 'BENCH_RAW_BATCH');
  return {
    parts: parts(env.BENCH_PART),
    records: positive(env, 'BENCH_RECORDS', quick ? 50_000 : 500_000),
    valueBytes: positive(env, 'BENCH_VALUE_BYTES', 200),
    partitions: positive(env, 'BENCH_PARTITIONS', 6),
    rounds: positive(env, 'BENCH_ROUNDS', quick ? 1 : 2),
    rates: list(env.BENCH_RATES, [1000, 10000]),
    latencySeconds: positive(env, 'BENCH_LATENCY_SECONDS', quick ? 5 : 20),
    slowMs: positive(env, 'BENCH_SLOW_MS', 2),
    maxInFlight: env.BENCH_MAX_IN_FLIGHT ? positive(env, 'BENCH_MAX_IN_FLIGHT', 0) : undefined,
    batchSize: positive(env, 'BENCH_BATCH_SIZE', 1000),
    phases: phases(env.BENCH_PHASES),
    packageDir: env.BENCH_PACKAGE_DIR || undefined,
    commit: env.BENCH_COMMIT || undefined,
    cpuProfDir: env.BENCH_CPU_PROF_DIR || undefined,
    kafkaVersion: env.BENCH_KAFKA_VERSION || undefined,
    tunedFetch: env.BENCH_TUNED_FETCH ? (JSON.parse(env.BENCH_TUNED_FETCH) as FetchOptions) : TUNED_FETCH,
    consumeSides: chosen(
      env.BENCH_CONSUME_SIDES,
      ['ceiling', 'tuned', 'product', 'complete', 'batch'],
      'BENCH_CONSUME_SIDES',
    ),
    consumeVariants: variants(env.BENCH_CONSUME_VARIANTS, 'BENCH_CONSUME_VARIANTS'),
    produce: {
      sizes,
      partitions: positive(env, 'BENCH_PRODUCE_PARTITIONS', 3),
      rounds: positive(env, 'BENCH_PRODUCE_ROUNDS', quick ? 1 : 2),
      warmUpRecords: positive(env, 'BENCH_PRODUCE_WARM_UP', quick ? 500 : 2000),
      rate: positive(env, 'BENCH_PRODUCE_RATE', 1000),
      latencySeconds: positive(env, 'BENCH_PRODUCE_LATENCY_SECONDS', quick ? 3 : 10),
      window: positive(env, 'BENCH_PRODUCE_WINDOW', 10000),
      rawWindow: positive(env, 'BENCH_RAW_WINDOW', 100),
      rawWindowShare: Math.min(1, positive(env, 'BENCH_RAW_WINDOW_SHARE', 0.1)),
      rawBatchRecords: rawBatchRecords ?? 5000,
      rawBatchBytes: rawBatchBytes ?? 1_000_000,
      rawInFlight: positive(env, 'BENCH_RAW_IN_FLIGHT', 1),
      sides: chosen(env.BENCH_PRODUCE_SIDES, ['raw-window', 'raw-batched', 'product'], 'BENCH_PRODUCE_SIDES'),
      variants: variants(env.BENCH_PRODUCE_VARIANTS, 'BENCH_PRODUCE_VARIANTS'),
      flow: {
        records: positive(env, 'BENCH_FLOW_RECORDS', quick ? 20_000 : 100_000),
        valueBytes: positive(env, 'BENCH_FLOW_VALUE_BYTES', 200),
        burst: positive(env, 'BENCH_FLOW_BURST', 1000),
        burstsInFlight: positive(env, 'BENCH_FLOW_BURSTS_IN_FLIGHT', 10),
        partitions: positive(env, 'BENCH_FLOW_PARTITIONS', 6),
        rounds: positive(env, 'BENCH_FLOW_ROUNDS', quick ? 1 : 2),
        sides: chosen(env.BENCH_FLOW_SIDES, ['raw', 'product', 'floor'], 'BENCH_FLOW_SIDES'),
      },
    },
    exactlyOnce: {
      records: positive(env, 'BENCH_EOS_RECORDS', quick ? 20_000 : 100_000),
      rounds: positive(env, 'BENCH_EOS_ROUNDS', quick ? 1 : 2),
      rate: positive(env, 'BENCH_EOS_RATE', 1000),
      latencySeconds: positive(env, 'BENCH_EOS_LATENCY_SECONDS', quick ? 5 : 20),
      transactionIntervals: env.BENCH_TRANSACTION_INTERVALS
        ? list(env.BENCH_TRANSACTION_INTERVALS, [], 'BENCH_TRANSACTION_INTERVALS')
        : [],
    },
    peers: {
      records: positive(env, 'BENCH_PEERS_RECORDS', quick ? 20_000 : 200_000),
      contenders: env.BENCH_PEERS ? env.BENCH_PEERS.split(',').map((id) => id.trim()) : undefined,
      downstreams: chosen(env.BENCH_PEERS_DOWNSTREAM, ['sink', 'function'], 'BENCH_PEERS_DOWNSTREAM'),
      rounds: positive(env, 'BENCH_PEERS_ROUNDS', 1),
      firstRecordSeconds: positive(env, 'BENCH_PEERS_FIRST_SECONDS', 60),
      drainSeconds: positive(env, 'BENCH_PEERS_DRAIN_SECONDS', 120),
    },
  };
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not ${raw}`);
  return value;
}

function list(raw: string | undefined, fallback: number[], name = 'BENCH_RATES'): number[] {
  if (!raw) return fallback;
  const values = raw.split(',').map((part) => Number(part.trim()));
  if (values.some((value) => !Number.isFinite(value) || value <= 0))
    throw new Error(`${name} must be comma-separated positive numbers, not ${raw}`);
  return values;
}

/** `all` is every part but peers, which installs other packages, so it runs only when named. */
function parts(raw: string | undefined): Part[] {
  const known: Part[] = ['consume', 'produce', 'formats', 'exactly-once', 'peers'];
  if (!raw || raw === 'all') return known.filter((part) => part !== 'peers');
  const chosen = raw.split(',').map((part) => part.trim());
  for (const part of chosen)
    if (!known.includes(part as Part))
      throw new Error(`BENCH_PART must be ${known.join(', ')} (comma-separated) or all, not ${raw}`);
  return chosen as Part[];
}

/** A comma-separated choice among `all` (all of them when unset). */
function chosen<T extends string>(raw: string | undefined, all: T[], name: string): T[] {
  if (!raw) return all;
  const picked = raw.split(',').map((part) => part.trim());
  for (const side of picked) if (!all.includes(side as T)) throw new Error(`${name}: unknown side ${side}`);
  return picked as T[];
}

/** `label=dir,label=dir`; a consume variant's dir may end in `@complete` to run it with complete delivery. */
function variants(raw: string | undefined, name: string): Variant[] {
  if (!raw) return [];
  return raw.split(',').map((entry) => {
    const [label, target] = entry.split('=');
    const [dir, mode] = (target ?? '').split('@');
    if (!label || !dir || (mode !== undefined && mode !== 'complete'))
      throw new Error(`${name} must be label=dir[@complete],..., not ${raw}`);
    return { label: label.trim(), dir: dir.trim(), ...(mode ? { complete: true } : {}) };
  });
}

function phases(raw: string | undefined): Phase[] {
  const all: Phase[] = ['throughput', 'memory', 'latency', 'flow'];
  if (!raw) return all;
  const chosen = raw.split(',').map((part) => part.trim());
  for (const phase of chosen)
    if (!all.includes(phase as Phase)) throw new Error(`BENCH_PHASES: unknown phase ${phase}`);
  return chosen as Phase[];
}
