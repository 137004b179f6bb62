// Reads records back with clients nobody here wrote: kcat (librdkafka) and Kafka's own Java consumer, and
// asks Kafka's log dump tool how the broker stored the batches. Values come back as exact bytes; whole
// records (key, value, headers) as text.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ensureKafkaClasspath, javaArgs } from '../../scripts/kafka/java';
import type { LocalKafka } from '../../scripts/kafka/local-kafka';
import { runCommand, tail } from '../../scripts/kafka/run-command';

/** A record's value: its bytes, or null for a null value. */
export type RecordValue = Buffer | null;

const READ_TIMEOUT_MS = 30_000;

/**
 * The first `count` values of a topic's partition 0 read with `kcat -C`, librdkafka verifying each batch's
 * CRC. Rejects when kcat fails or the partition ends with fewer records.
 */
export async function readWithKcat(bootstrap: string, topic: string, count: number): Promise<RecordValue[]> {
  // %R is the value's length as a 4-byte big-endian integer (-1 for null), so the output is binary-safe.
  const args = ['-C', '-b', bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-c', String(count)];
  args.push('-e', '-q', '-f', '%R%s', '-X', 'check.crcs=true');
  const { code, stdout, stderr } = await runBinary('kcat', args);
  if (code !== 0 || stderr.trim() !== '') throw new Error(`kcat exited with ${code}: ${stderr.trim()}`);
  const values = parseLengthPrefixed(stdout);
  if (values.length !== count) throw new Error(`kcat read ${values.length} of ${count} records of ${topic}`);
  return values;
}

function parseLengthPrefixed(output: Buffer): RecordValue[] {
  const values: RecordValue[] = [];
  for (let offset = 0; offset < output.length;) {
    if (offset + 4 > output.length) throw new Error('kcat output ends inside a length');
    const length = output.readInt32BE(offset);
    offset += 4;
    if (length < 0) {
      values.push(null);
      continue;
    }
    if (offset + length > output.length) throw new Error('kcat output ends inside a value');
    values.push(output.subarray(offset, offset + length));
    offset += length;
  }
  return values;
}

/** Runs a command to completion, keeping stdout as bytes; killed after READ_TIMEOUT_MS. */
function runBinary(
  command: string,
  args: string[],
): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: READ_TIMEOUT_MS });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(chunks), stderr }));
  });
}

/**
 * Printed for a null value. Bytes.toString escapes every backslash, so no value prints as this.
 */
const JAVA_NULL_LITERAL = '\\null';

/**
 * The first `count` values of a topic's partition 0 read with Kafka's console consumer, which uses the
 * broker release's own KafkaConsumer (so its decompressors and CRC checks). One JVM per call.
 */
export async function readWithJavaConsumer(
  broker: Pick<LocalKafka, 'bootstrap' | 'version'>,
  topic: string,
  count: number,
): Promise<RecordValue[]> {
  const lines = await consoleConsumerLines(broker, topic, count, [
    // Bytes prints printable ASCII as itself and every other byte (newlines, backslashes) as \xHH, so each
    // value is one line of text.
    '--value-deserializer',
    'org.apache.kafka.common.serialization.BytesDeserializer',
    '--property',
    `null.literal=${JAVA_NULL_LITERAL}`,
  ]);
  return lines.map((line) => (line === JAVA_NULL_LITERAL ? null : unescapeBytes(line)));
}

/** A text record as read back whole: UTF-8 key, value and headers. */
export interface TextRecord {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/**
 * The first `count` whole records of a topic's partition 0 read with Kafka's console consumer. For text
 * records only: keys, values and headers without tabs or newlines, header names and values without the
 * console consumer's separators (`,` and `:`), and no key or value that reads `\null`.
 */
export async function readRecordsWithJavaConsumer(
  broker: Pick<LocalKafka, 'bootstrap' | 'version'>,
  topic: string,
  count: number,
): Promise<TextRecord[]> {
  // Each line: the headers as name:value,name:value (NO_HEADERS when none), a tab, the key, a tab, the value.
  const lines = await consoleConsumerLines(broker, topic, count, [
    '--property',
    'print.headers=true',
    '--property',
    'print.key=true',
    '--property',
    `null.literal=${JAVA_NULL_LITERAL}`,
  ]);
  return lines.map((line) => {
    const fields = line.split('\t');
    if (fields.length !== 3) throw new Error(`Unexpected console consumer line: ${line}`);
    const [headerText, key, value] = fields;
    const headers: Record<string, string> = {};
    if (headerText !== 'NO_HEADERS') {
      for (const pair of headerText.split(',')) {
        const separator = pair.indexOf(':');
        headers[pair.slice(0, separator)] = pair.slice(separator + 1);
      }
    }
    const text = (field: string): string | null => (field === JAVA_NULL_LITERAL ? null : field);
    return { key: text(key), value: text(value), headers };
  });
}

/** kcat's -J envelope of one consumed record. */
interface KcatEnvelope {
  key: string | null;
  payload: string | null;
  /** Alternating names and values; missing when the record has none. */
  headers?: (string | null)[];
}

/** The first `count` whole records of a topic's partition 0 read with `kcat -C -J`, librdkafka checking every CRC. */
export async function readRecordsWithKcat(
  bootstrap: string,
  topic: string,
  count: number,
): Promise<TextRecord[]> {
  const args = ['-C', '-b', bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-c', String(count)];
  args.push('-e', '-q', '-J', '-X', 'check.crcs=true');
  const { code, stdout, stderr } = await runBinary('kcat', args);
  if (code !== 0 || stderr.trim() !== '') throw new Error(`kcat exited with ${code}: ${stderr.trim()}`);
  const records = stdout
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const envelope = JSON.parse(line) as KcatEnvelope;
      const headers: Record<string, string> = {};
      const pairs = envelope.headers ?? [];
      for (let i = 0; i < pairs.length; i += 2) headers[String(pairs[i])] = String(pairs[i + 1]);
      return { key: envelope.key, value: envelope.payload, headers };
    });
  if (records.length !== count)
    throw new Error(`kcat read ${records.length} of ${count} records of ${topic}`);
  return records;
}

/** A record's place and its value as UTF-8 text (null for a null value). */
export interface PlacedRecord {
  partition: number;
  offset: number;
  value: string | null;
}

/**
 * Every record of every partition of `topic` that librdkafka shows a read_committed consumer
 * (`kcat -C -J`, to each partition's end): aborted transactions and their markers left out. The end
 * of a partition is its last stable offset, so read once no transaction there is open.
 */
export async function readCommittedWithKcat(bootstrap: string, topic: string): Promise<PlacedRecord[]> {
  const args = ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-J'];
  args.push('-X', 'isolation.level=read_committed', '-X', 'check.crcs=true');
  const { code, stdout, stderr } = await runBinary('kcat', args);
  if (code !== 0 || stderr.trim() !== '') throw new Error(`kcat exited with ${code}: ${stderr.trim()}`);
  return stdout
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const { partition, offset, payload } = JSON.parse(line) as KcatEnvelope & {
        partition: number;
        offset: number;
      };
      return { partition, offset, value: payload };
    });
}

/**
 * The console consumer's first `count` output lines for partition 0 of a topic, printed as `extraArgs`
 * ask; rejects when it fails or prints another number of lines.
 */
async function consoleConsumerLines(
  broker: Pick<LocalKafka, 'bootstrap' | 'version'>,
  topic: string,
  count: number,
  extraArgs: string[],
): Promise<string[]> {
  const classpath = await ensureKafkaClasspath(broker.version);
  const args = [
    ...javaArgs(classpath, 'WARN'),
    consoleConsumerClass(broker.version),
    '--bootstrap-server',
    broker.bootstrap,
    '--topic',
    topic,
    // An assigned partition needs no consumer group, which saves the group join.
    '--partition',
    '0',
    '--offset',
    'earliest',
    '--max-messages',
    String(count),
    '--timeout-ms',
    String(READ_TIMEOUT_MS),
    ...extraArgs,
  ];
  const result = await runCommand('java', args);
  const lines = result.stdout.split('\n');
  if (lines.pop() !== '' || result.code !== 0 || lines.length !== count) {
    throw new Error(
      `Console consumer read ${lines.length} of ${count} records of ${topic} (exit ${result.code}):\n` +
        tail(result.stderr + result.stdout),
    );
  }
  return lines;
}

/** The console consumer moved from the Scala core to the tools module in Kafka 3.8. */
function consoleConsumerClass(version: string): string {
  const [major, minor] = version.split('.').map(Number);
  return major > 3 || (major === 3 && minor >= 8)
    ? 'org.apache.kafka.tools.consumer.ConsoleConsumer'
    : 'kafka.tools.ConsoleConsumer';
}

/** Reverses Kafka's Bytes.toString: \xHH is the byte HH, any other character its own ASCII byte. */
function unescapeBytes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length;) {
    if (text[i] !== '\\') {
      bytes.push(text.charCodeAt(i++));
      continue;
    }
    const hex = /^\\x([0-9A-F]{2})/.exec(text.slice(i, i + 4));
    if (!hex)
      throw new Error(`Unexpected escape in the console consumer's output at ${i}: ${text.slice(i, i + 4)}`);
    bytes.push(parseInt(hex[1], 16));
    i += 4;
  }
  return Buffer.from(bytes);
}

export interface StoredBatch {
  /** Records in the batch. */
  count: number;
  /** The codec named in the batch's attributes: none, gzip, snappy, lz4 or zstd. */
  compression: string;
  /** Whether the batch's CRC matches its contents. */
  valid: boolean;
}

/**
 * The record batches of each topic's partition 0 as the broker stored them, read from its log segments by
 * Kafka's DumpLogSegments tool (one JVM for all topics).
 */
export async function dumpStoredBatches(
  broker: Pick<LocalKafka, 'version' | 'logDir'>,
  topics: string[],
): Promise<Record<string, StoredBatch[]>> {
  const segments = new Map<string, string>();
  for (const topic of topics) {
    const partitionDir = path.join(broker.logDir, `${topic}-0`);
    for (const file of readdirSync(partitionDir).filter((name) => name.endsWith('.log'))) {
      segments.set(path.join(partitionDir, file), topic);
    }
  }
  const classpath = await ensureKafkaClasspath(broker.version);
  const args = [
    ...javaArgs(classpath, 'WARN'),
    'kafka.tools.DumpLogSegments',
    '--files',
    [...segments.keys()].join(','),
  ];
  const result = await runCommand('java', args);
  if (result.code !== 0) {
    throw new Error(`DumpLogSegments failed (exit ${result.code}):\n${tail(result.stderr + result.stdout)}`);
  }
  const batches: Record<string, StoredBatch[]> = Object.fromEntries(topics.map((topic) => [topic, []]));
  let current: StoredBatch[] | undefined;
  for (const line of result.stdout.split('\n')) {
    const dumping = /^Dumping (.+)$/.exec(line);
    if (dumping) {
      const topic = segments.get(dumping[1]);
      if (topic === undefined)
        throw new Error(`DumpLogSegments dumped a file it was not given: ${dumping[1]}`);
      current = batches[topic];
      continue;
    }
    const batch = /^baseOffset: .* count: (\d+) .* compresscodec: (\w+) .* isvalid: (\w+)/.exec(line);
    if (batch) {
      if (!current) throw new Error(`DumpLogSegments printed a batch before naming its file: ${line}`);
      current.push({ count: Number(batch[1]), compression: batch[2], valid: batch[3] === 'true' });
    }
  }
  return batches;
}
