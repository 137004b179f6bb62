// The topic-to-topic pipeline of the exactly-once part, in a real Node-RED: kafka-trigger -> a core
// function node that adds a field -> kafka-produce. The function node also tells the FunctionBench
// of each msg, so the Probe knows when the first record entered the flow and the process's CPU
// time from then on; the runner decides when the run is over, by reading the target topic back. The
// trigger's metrics output, every second, tells the FunctionBench the transactions committed so far.
import type { LocalKafka } from '../kafka/local-kafka';
import { IpcChild, launchNodeRed } from './children';
import type { TransactionsMessage, TransactionsRequest } from './nodes/lib/function-bench';
import type { ProbeMessage, ProbeReport } from './nodes/lib/probe';

/** The pipeline's delivery: complete, or exactly-once with a transaction interval (the default if none). */
export interface PipelineSide {
  label: string;
  delivery: 'complete' | 'exactly-once';
  transactionInterval?: number;
}

export interface PipelineOptions {
  source: string;
  target: string;
  group: string;
  /** max_in_flight of the trigger (default: the setting's). */
  maxInFlight?: number;
  packageDir?: string;
  cpuProfDir?: string;
}

/** Node-RED running the pipeline; its Probe counts msgs entering the flow. */
export class PipelineProcess extends IpcChild<ProbeMessage | TransactionsMessage> {
  async waitReady(): Promise<void> {
    await this.next('ready', 60_000);
  }

  /** Msgs that entered the flow, and the CPU time of the process since the first, so far. */
  async report(): Promise<ProbeReport> {
    this.request({ type: 'report' });
    return (await this.next('report', 30_000)).report;
  }

  /** The transactions committed and aborted by the trigger's latest metrics msg (up to 1 s old). */
  async transactions(): Promise<{ committed: number; aborted: number }> {
    this.request({ type: 'transactions' } satisfies TransactionsRequest);
    const { committed, aborted } = await this.next('transactions', 30_000);
    return { committed, aborted };
  }
}

export async function startPipeline(
  broker: LocalKafka,
  side: PipelineSide,
  options: PipelineOptions,
): Promise<PipelineProcess> {
  const launched = await launchNodeRed(pipelineFlow(broker, side, options), [], {
    ...(options.packageDir ? { packageDir: options.packageDir } : {}),
    ...(options.cpuProfDir ? { cpuProfDir: options.cpuProfDir } : {}),
    // The Probe never ends the run itself: the runner does, once the target topic holds every record.
    functionBench: { mode: 'drain', expected: Number.MAX_SAFE_INTEGER },
  });
  return new PipelineProcess(side.label, launched.child, launched.logFile, launched.cleanUp);
}

function pipelineFlow(broker: LocalKafka, side: PipelineSide, options: PipelineOptions): object[] {
  const tab = 'bench-tab';
  const enrich = [
    "global.get('bench').arrived();",
    'const data = msg.payload;',
    'msg.key = data.key;',
    '// The produce time travels on in its header, for the read-back to time the record.',
    'msg.headers = data.headers;',
    'msg.payload = Object.assign({}, data.message, { enriched_at: Date.now() });',
    'return msg;',
  ].join('\n');
  return [
    { id: tab, type: 'tab', label: `${side.label} pipeline` },
    {
      id: 'bench-broker',
      type: 'kafka-broker',
      version: 2,
      name: '',
      brokers: broker.bootstrap,
      client_id: 'bench-pipeline',
    },
    {
      id: 'pipeline-trigger',
      type: 'kafka-trigger',
      z: tab,
      version: 2,
      name: '',
      broker: 'bench-broker',
      topic: options.source,
      consumer_group: options.group,
      start_from: 'earliest',
      session_timeout: 10000,
      heartbeat_interval: 3000,
      delivery: side.delivery,
      metrics_interval: 1,
      outputs: 2,
      ...(options.maxInFlight ? { max_in_flight: options.maxInFlight } : {}),
      ...(side.transactionInterval ? { transaction_interval: side.transactionInterval } : {}),
      x: 150,
      y: 80,
      wires: [['pipeline-enrich'], ['pipeline-metrics']],
    },
    {
      id: 'pipeline-metrics',
      type: 'function',
      z: tab,
      name: 'transactions',
      func: "global.get('bench').metrics(msg.payload);\nreturn null;",
      outputs: 1,
      timeout: 0,
      noerr: 0,
      initialize: '',
      finalize: '',
      libs: [],
      x: 320,
      y: 140,
      wires: [[]],
    },
    {
      id: 'pipeline-enrich',
      type: 'function',
      z: tab,
      name: 'enrich',
      func: enrich,
      outputs: 1,
      timeout: 0,
      noerr: 0,
      initialize: '',
      finalize: '',
      libs: [],
      x: 320,
      y: 80,
      wires: [['pipeline-produce']],
    },
    {
      id: 'pipeline-produce',
      type: 'kafka-produce',
      z: tab,
      version: 1,
      name: '',
      broker: 'bench-broker',
      topic: options.target,
      key: '',
      acks: 'all',
      compression: 'none',
      send_timeout: 30000,
      x: 500,
      y: 80,
      wires: [[]],
    },
  ];
}
