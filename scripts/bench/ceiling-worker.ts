// The ceiling: a plain kafkajs consumer with no Node-RED, run as a child process by the bench
// runner. It uses the same consumer and run options as the product's TriggerConsumer (kafkajs
// defaults for the fetch sizes, one offset resolved per batch and committed by the product's own
// OffsetCommitter without holding up the next fetch) and only counts the
// records, so the gap to the product is the product's own per-record work plus Node-RED. The
// tuned ceiling only adds larger fetch sizes; the peers bench's baseline also parses each value.
import { Kafka, logLevel, type EachBatchPayload } from 'kafkajs';
import { OffsetCommitter } from '../../src/delivery/offset-committer';
import { Probe, SENT_AT_HEADER } from './nodes/lib/probe';
import type { WorkerConfig } from './settings';

async function main(): Promise<void> {
  const config = JSON.parse(process.env.BENCH_WORKER ?? '{}') as WorkerConfig;
  const probe = new Probe({ mode: config.mode, expected: config.expected });
  const kafka = new Kafka({ brokers: [config.brokers], clientId: 'bench-ceiling', logLevel: logLevel.ERROR });
  const consumer = kafka.consumer({
    groupId: config.groupId,
    sessionTimeout: 10000,
    heartbeatInterval: 3000,
    allowAutoTopicCreation: false,
    // None by default, so the ceiling fetches exactly as the product does; the tuned ceiling
    // sets larger fetches.
    ...config.fetch,
  });
  const stop = (): void => {
    probe.close();
    void consumer
      .disconnect()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);

  await consumer.connect();
  await consumer.subscribe({ topics: [config.topic], fromBeginning: config.startFrom === 'earliest' });
  const committer = new OffsetCommitter(consumer);
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async (payload: EachBatchPayload) => {
      const { batch } = payload;
      const { messages } = batch;
      if (messages.length === 0) return;
      if (config.mode === 'latency') {
        for (const record of messages) {
          const headers = record.headers ?? {};
          probe.arrived(headers[SENT_AT_HEADER]?.toString());
        }
      } else {
        // The peers bench's raw baseline parses every value, as the product and most peers do.
        if (config.parse)
          for (const record of messages) if (record.value) JSON.parse(record.value.toString());
        probe.arrivedMany(messages.length);
      }
      const last = messages[messages.length - 1].offset;
      payload.resolveOffset(last);
      committer.commit(batch.topic, batch.partition, (BigInt(last) + 1n).toString());
      await payload.heartbeat();
    },
  });
}

main().catch((error: unknown) => {
  console.error(`[bench ceiling] ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
