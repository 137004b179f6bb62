// Writes the bench records: a preloaded backlog, and steady-rate streams for the latency runs.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CompressionTypes, Kafka, logLevel, type Message, type Producer } from 'kafkajs';
import { SENT_AT_HEADER, nowMs } from './nodes/lib/probe';

const EVENT_TYPES = ['login', 'purchase', 'logout', 'view', 'search'];
const PRELOAD_CHUNK = 3000;
const PRELOAD_IN_FLIGHT = 4;
const STEADY_TICK_MS = 5;
const STEADY_IN_FLIGHT = 32;

export async function withProducer<T>(
  bootstrap: string,
  action: (producer: Producer) => Promise<T>,
): Promise<T> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'bench-producer', logLevel: logLevel.ERROR });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    return await action(producer);
  } finally {
    await producer.disconnect();
  }
}

/** A keyed JSON record of about `valueBytes` bytes with two headers. */
export function benchRecord(sequence: number, valueBytes: number, sentAt: string): Message {
  const event = {
    user_id: `u-${sequence % 10007}`,
    event_type: EVENT_TYPES[sequence % EVENT_TYPES.length],
    sequence,
    amount: (sequence % 10000) / 100,
    currency: 'EUR',
    session: SESSION,
    created_at: '2024-06-18T05:09:00.000Z',
    note: '',
  };
  const padding = valueBytes - JSON.stringify(event).length;
  if (padding > 0) event.note = 'x'.repeat(padding);
  return {
    key: `user-${sequence % 10007}`,
    value: JSON.stringify(event),
    headers: { 'content-type': 'application/json', [SENT_AT_HEADER]: sentAt },
  };
}

const SESSION = randomBytes(8).toString('hex');

/** Produces `records` records as fast as kafkajs goes (a few sends in flight); returns records/s. */
export async function preload(
  bootstrap: string,
  topic: string,
  records: number,
  valueBytes: number,
): Promise<number> {
  return withProducer(bootstrap, async (producer) => {
    const started = nowMs();
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < records) {
        const from = next;
        const to = Math.min(records, from + PRELOAD_CHUNK);
        next = to;
        const sentAt = nowMs().toFixed(3);
        const messages: Message[] = [];
        for (let sequence = from; sequence < to; sequence += 1)
          messages.push(benchRecord(sequence, valueBytes, sentAt));
        await producer.send({ topic, messages, compression: CompressionTypes.None });
      }
    };
    await Promise.all(Array.from({ length: PRELOAD_IN_FLIGHT }, lane));
    return (records / (nowMs() - started)) * 1000;
  });
}

export interface SteadyStream {
  /** Switches from warm-up records (not measured) to measured ones and returns nothing. */
  measure(): void;
  /** Stops producing; resolves with the measured records sent and the achieved rate. */
  stop(): Promise<{ measured: number; rate: number }>;
}

/** Produces at `rate` records/s until stopped; each record carries its produce time. */
export async function steadyStream(
  producer: Producer,
  topic: string,
  rate: number,
  valueBytes: number,
): Promise<SteadyStream> {
  let measuring = false;
  let running = true;
  let measured = 0;
  let measureStarted = 0;
  let measureEnded = 0;
  let sequence = 0;
  let inFlight = 0;
  let failure: Error | undefined;
  let base = nowMs();
  let sentSinceBase = 0;

  const loop = (async (): Promise<void> => {
    while (running) {
      const due = Math.floor(((nowMs() - base) / 1000) * rate) - sentSinceBase;
      if (due > 0 && inFlight < STEADY_IN_FLIGHT) {
        const messages: Message[] = [];
        for (let i = 0; i < due; i += 1) {
          const sentAt = measuring ? nowMs().toFixed(3) : `w${nowMs().toFixed(3)}`;
          messages.push(benchRecord(sequence++, valueBytes, sentAt));
        }
        sentSinceBase += due;
        if (measuring) measured += due;
        inFlight += 1;
        producer
          .send({ topic, messages, acks: 1 })
          .catch((error: unknown) => (failure ??= error instanceof Error ? error : new Error(String(error))))
          .finally(() => (inFlight -= 1));
      }
      await sleep(STEADY_TICK_MS);
    }
    while (inFlight > 0) await sleep(STEADY_TICK_MS);
  })();

  return {
    measure() {
      measuring = true;
      base = nowMs();
      sentSinceBase = 0;
      measureStarted = base;
    },
    async stop() {
      running = false;
      measureEnded = nowMs();
      await loop;
      if (failure) throw failure;
      return { measured, rate: (measured / (measureEnded - measureStarted)) * 1000 };
    },
  };
}
