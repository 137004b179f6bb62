// The raw side of the produce bench: a plain kafkajs producer in a child process writing the same
// records as the Node-RED flow, timed at the ack by the same Probe. Two ways a kafkajs user would
// write a stream of single records:
//   window:  one send() per record, `window` of them in flight at once (kafkajs does not batch
//            separate send() calls: each is a produce request of its own);
//   batched: the records cut into batches by the node's own limits (records and bytes), one
//            send() per batch, `inFlight` batches at a time: the node's algorithm without Node-RED.
// A latency run sends each record alone, as it comes, with send().
import { Kafka, Partitioners, logLevel, type Message, type Producer } from 'kafkajs';
import { Probe, nowMs } from './nodes/lib/probe';
import {
  WARM_UP_SENT_AT,
  benchKey,
  benchValue,
  paced,
  sendToRunner,
  type ProduceRequest,
  type ProduceRun,
} from './nodes/lib/produce-run';

export type RawMethod = 'window' | 'batched';

export interface RawWorkerConfig {
  brokers: string;
  topic: string;
  run: ProduceRun;
  method: RawMethod;
  /** window: send() calls in flight. */
  window: number;
  /** batched: the node's batch limits (WRITER_LIMITS) and batches in flight. */
  batchRecords: number;
  batchBytes: number;
  inFlight: number;
}

/** The record size the node counts against maxBatchBytes (src/kafka/produce-record.ts). */
const RECORD_OVERHEAD_BYTES = 24;

async function main(): Promise<void> {
  const config = JSON.parse(process.env.BENCH_WORKER ?? '{}') as RawWorkerConfig;
  const { run, topic } = config;
  const kafka = new Kafka({ brokers: [config.brokers], clientId: 'bench-raw', logLevel: logLevel.ERROR });
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const stop = (): void => {
    void producer
      .disconnect()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  await producer.connect();

  const probe = new Probe({ mode: run.mode === 'latency' ? 'latency' : 'drain', expected: run.records });
  const value = benchValue(run.valueBytes);
  let sequence = 0;
  const recordOf = (): Message => ({ key: benchKey(sequence++), value });

  const start = async (): Promise<void> => {
    if (run.mode === 'throughput') {
      await write(producer, config, run.warmUpRecords, recordOf, () => undefined);
      sendToRunner({ type: 'started', at: nowMs() });
      await write(producer, config, run.records, recordOf, (records) => probe.arrivedMany(records));
      return;
    }
    const sendOne = (sentAt: string): void => {
      producer.send({ topic, acks: -1, messages: [recordOf()] }).then(
        () => probe.arrived(sentAt),
        (error: unknown) => sendToRunner({ type: 'failed', error: String(error) }),
      );
    };
    await paced(run.rate, run.warmUpSeconds, () => sendOne(WARM_UP_SENT_AT));
    const sent = await paced(run.rate, run.seconds, () => sendOne(nowMs().toFixed(3)));
    sendToRunner({ type: 'sent', measured: sent.emitted, rate: sent.rate });
  };
  process.on('message', (request: ProduceRequest) => {
    if (request.type === 'start')
      start().catch((error: unknown) => sendToRunner({ type: 'failed', error: String(error) }));
  });
}

/** Writes `count` records by the configured method; `acked(n)` as the broker acknowledges them. */
async function write(
  producer: Producer,
  config: RawWorkerConfig,
  count: number,
  recordOf: () => Message,
  acked: (records: number) => void,
): Promise<void> {
  const { topic } = config;
  let left = count;
  if (config.method === 'window') {
    const lane = async (): Promise<void> => {
      while (left > 0) {
        left -= 1;
        await producer.send({ topic, acks: -1, messages: [recordOf()] });
        acked(1);
      }
    };
    await Promise.all(Array.from({ length: Math.min(config.window, count) }, lane));
    return;
  }
  const recordSize = RECORD_OVERHEAD_BYTES + config.run.valueBytes;
  // The record that did not fit into the last batch starts the next one, as in the node.
  let carried: Message | undefined;
  const lane = async (): Promise<void> => {
    while (left > 0 || carried) {
      const messages: Message[] = [];
      let bytes = 0;
      while (messages.length < config.batchRecords) {
        let record = carried;
        carried = undefined;
        if (!record) {
          if (left === 0) break;
          left -= 1;
          record = recordOf();
        }
        const size = recordSize + Buffer.byteLength(record.key as string);
        if (messages.length > 0 && bytes + size > config.batchBytes) {
          carried = record;
          break;
        }
        messages.push(record);
        bytes += size;
      }
      await producer.send({ topic, acks: -1, messages });
      acked(messages.length);
    }
  };
  await Promise.all(Array.from({ length: config.inFlight }, lane));
}

main().catch((error: unknown) => {
  console.error(`[bench raw producer] ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
