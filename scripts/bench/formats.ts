// BENCH_PART=formats: the trigger's drain rate on Avro records decoded through the Schema Registry,
// beside the same events as JSON records, in one run on one broker. Each side runs in its own
// Node-RED with the same counting sink; the registry is the test one (scripts/schema-registry).
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { CompressionTypes, type Message } from 'kafkajs';
import { createTopic, type LocalKafka } from '../kafka/local-kafka';
import { startLocalSchemaRegistry, type LocalSchemaRegistry } from '../schema-registry/local-schema-registry';
import { startNodeRed, type ConsumerProcess } from './children';
import { fmt, log, median } from './figures';
import { benchRecord, withProducer } from './producer';
import type { BenchSettings } from './settings';

const JSON_TOPIC = 'bench-formats-json';
const AVRO_TOPIC = 'bench-formats-avro';
const CHUNK = 3000;

/** The bench event (bench/producer.ts) as an Avro record. */
const EVENT_SCHEMA = JSON.stringify({
  type: 'record',
  name: 'BenchEvent',
  namespace: 'bench',
  fields: [
    { name: 'user_id', type: 'string' },
    { name: 'event_type', type: 'string' },
    { name: 'sequence', type: 'long' },
    { name: 'amount', type: 'double' },
    { name: 'currency', type: 'string' },
    { name: 'session', type: 'string' },
    { name: 'created_at', type: 'string' },
    { name: 'note', type: 'string' },
  ],
});

export interface FormatResult {
  format: 'json' | 'avro';
  rate: number;
  cpuUsPerRecord: number;
}

export async function runFormatsPart(
  broker: LocalKafka,
  settings: BenchSettings,
  live: Set<{ stop(): Promise<void> }>,
): Promise<FormatResult[]> {
  const registry = await startLocalSchemaRegistry();
  try {
    const writer = new SchemaRegistry({ host: registry.url });
    const { id } = await writer.register(
      { type: SchemaType.AVRO, schema: EVENT_SCHEMA },
      { subject: `${AVRO_TOPIC}-value` },
    );
    await createTopic(broker, JSON_TOPIC, settings.partitions);
    await createTopic(broker, AVRO_TOPIC, settings.partitions);
    log(`formats: preloading ${settings.records} JSON and ${settings.records} Avro records...`);
    await preloadBoth(broker, settings, writer, id);
    const results: FormatResult[] = [];
    for (let round = 1; round <= settings.rounds; round += 1) {
      for (const format of ['json', 'avro'] as const) {
        const result = await drainFormat(broker, registry, settings, format, round, live);
        results.push(result);
        log(
          `  round ${round} ${format.padEnd(4)} ${fmt(result.rate).padStart(9)} records/s  ` +
            `${result.cpuUsPerRecord.toFixed(2)} µs CPU/record`,
        );
      }
    }
    return results;
  } finally {
    await registry.destroy();
  }
}

/** The same events to both topics: as JSON text, and Avro-encoded in Confluent's wire format. */
async function preloadBoth(
  broker: LocalKafka,
  settings: BenchSettings,
  writer: SchemaRegistry,
  schemaId: number,
): Promise<void> {
  await withProducer(broker.bootstrap, async (producer) => {
    for (let from = 0; from < settings.records; from += CHUNK) {
      const to = Math.min(settings.records, from + CHUNK);
      const json: Message[] = [];
      const avro: Message[] = [];
      for (let sequence = from; sequence < to; sequence += 1) {
        const record = benchRecord(sequence, settings.valueBytes, '0');
        json.push(record);
        const event = JSON.parse(String(record.value)) as object;
        avro.push({ ...record, value: await writer.encode(schemaId, event) });
      }
      await producer.send({ topic: JSON_TOPIC, messages: json, compression: CompressionTypes.None });
      await producer.send({ topic: AVRO_TOPIC, messages: avro, compression: CompressionTypes.None });
    }
  });
}

async function drainFormat(
  broker: LocalKafka,
  registry: LocalSchemaRegistry,
  settings: BenchSettings,
  format: 'json' | 'avro',
  round: number,
  live: Set<{ stop(): Promise<void> }>,
): Promise<FormatResult> {
  const child: ConsumerProcess = await startNodeRed(
    {
      brokers: broker.bootstrap,
      topic: format === 'json' ? JSON_TOPIC : AVRO_TOPIC,
      groupId: `bench-formats-${format}-${process.pid}-${round}`,
      startFrom: 'earliest',
      mode: 'drain',
      expected: settings.records,
    },
    {
      packageDir: settings.packageDir,
      brokerProps: { schema_registry_url: registry.url },
      triggerProps: { message_format: format === 'json' ? 'auto' : 'schema-registry' },
    },
  );
  live.add(child);
  try {
    await child.waitReady();
    const report = await child.waitDrained(Math.max(180_000, settings.records / 2));
    const rate = ((report.count - 1) / (report.lastAt - report.firstAt)) * 1000;
    return { format, rate, cpuUsPerRecord: report.cpuUs / report.count };
  } finally {
    await child.stop();
    live.delete(child);
  }
}

export function renderFormatsTable(results: FormatResult[], settings: BenchSettings): string {
  const row = (format: FormatResult['format'], label: string): string => {
    const list = results.filter((result) => result.format === format);
    const rates = list.map((result) => result.rate);
    const cpu = median(list.map((result) => result.cpuUsPerRecord));
    return `| ${label} | ${fmt(median(rates))} (${rates.map(fmt).join(', ')}) | ${cpu.toFixed(2)} |`;
  };
  const json = median(results.filter((r) => r.format === 'json').map((r) => r.rate));
  const avro = median(results.filter((r) => r.format === 'avro').map((r) => r.rate));
  return [
    `Message formats: ${settings.records} records per side, ${settings.partitions} partitions, ` +
      `${settings.rounds} round(s); records/s median (each round), CPU µs per record median`,
    '',
    '| kafka-trigger | records/s | CPU µs/record |',
    '|---|---|---|',
    row('json', '`auto`, JSON values'),
    row('avro', '`schema-registry`, the same events in Avro'),
    '',
    `Avro / JSON: ${(avro / json).toFixed(2)}`,
  ].join('\n');
}
