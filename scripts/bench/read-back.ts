// Reads a pipeline's target topic back as a downstream application would, read_committed (kafkajs's
// default): only records of committed transactions, each counted once by its `sequence` (the bench
// record's field, bench/producer.ts), so duplicates show. A record's latency is its read-back time
// minus the produce time its SENT_AT_HEADER carries (a leading `w` marks a warm-up record).
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import { SENT_AT_HEADER, nowMs } from './nodes/lib/probe';

const JOIN_TIMEOUT_MS = 60_000;
const POLL_MS = 50;

let readers = 0;

export class ReadBack {
  private readonly seen = new Set<number>();
  private total = 0;
  private warmUps = 0;
  /** When the latest record not read before arrived, epoch ms. */
  private latestAt = 0;
  private readonly measured: number[] = [];

  private constructor(private readonly consumer: Consumer) {}

  /** A reader of `topic` from its beginning; resolves once it has joined its group. */
  static async start(bootstrap: string, topic: string): Promise<ReadBack> {
    readers += 1;
    const kafka = new Kafka({ brokers: [bootstrap], clientId: 'bench-read-back', logLevel: logLevel.ERROR });
    const consumer = kafka.consumer({ groupId: `bench-read-back-${process.pid}-${readers}` });
    const reader = new ReadBack(consumer);
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        reader.arrived(batch.messages, nowMs());
      },
    });
    await Promise.race([
      joined,
      sleep(JOIN_TIMEOUT_MS).then(() => {
        throw new Error(`the read-back consumer of ${topic} did not join within ${JOIN_TIMEOUT_MS} ms`);
      }),
    ]);
    return reader;
  }

  /** Records read, distinct measured records, warm-up records, and when the latest new one was read. */
  get counts(): { total: number; distinct: number; warmUps: number; latestAt: number } {
    return { total: this.total, distinct: this.seen.size, warmUps: this.warmUps, latestAt: this.latestAt };
  }

  /** The measured records' produce-to-read-back latencies so far, sorted, ms. */
  latencies(): number[] {
    return [...this.measured].sort((a, b) => a - b);
  }

  /** Resolves once `done` holds, checked as records arrive; false if it did not within `timeoutMs`. */
  async until(done: (reader: ReadBack) => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this)) {
      if (Date.now() > deadline) return false;
      await sleep(POLL_MS);
    }
    return true;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  private arrived(messages: KafkaMessage[], at: number): void {
    for (const message of messages) {
      this.total += 1;
      const sentAt = message.headers?.[SENT_AT_HEADER]?.toString() ?? '';
      if (sentAt.startsWith('w')) {
        this.warmUps += 1;
        continue;
      }
      const { sequence } = JSON.parse(String(message.value)) as { sequence: number };
      if (this.seen.has(sequence)) continue;
      this.seen.add(sequence);
      this.latestAt = at;
      this.measured.push(at - Number(sentAt));
    }
  }
}
