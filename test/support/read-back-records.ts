// Reads whole records (key, value and headers) back with clients nobody here wrote: kcat (librdkafka) and
// Kafka's own Java console consumer. For text records: keys, values and headers must be UTF-8 without tabs,
// newlines or the console consumer's header separators (`,` and `:`).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ensureKafkaClasspath, javaArgs } from '../../scripts/kafka/java';
import type { LocalKafka } from '../../scripts/kafka/local-kafka';
import { runCommand, tail } from '../../scripts/kafka/run-command';

export interface TextRecord {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

const READ_TIMEOUT_MS = 30_000;
const execFileAsync = promisify(execFile);

/** kcat's -J envelope of one consumed record. */
interface KcatEnvelope {
  key: string | null;
  payload: string | null;
  /** Alternating names and values; missing when the record has none. */
  headers?: (string | null)[];
}

/** The first `count` records of a topic's partition 0 read with `kcat -C -J`, librdkafka checking every CRC. */
export async function readRecordsWithKcat(
  bootstrap: string,
  topic: string,
  count: number,
): Promise<TextRecord[]> {
  const args = ['-C', '-b', bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-c', String(count)];
  args.push('-e', '-q', '-J', '-X', 'check.crcs=true');
  // Rejects when kcat fails or runs past the timeout.
  const { stdout, stderr } = await execFileAsync('kcat', args, {
    timeout: READ_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (stderr.trim() !== '') throw new Error(`kcat complained: ${stderr.trim()}`);
  const records = stdout
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

/** Printed for a null key or value; no record here has it as text. */
const JAVA_NULL_LITERAL = '<null>';

/**
 * The first `count` records of a topic's partition 0 read with Kafka's console consumer (Kafka 3.8 or later),
 * which uses the broker release's own KafkaConsumer and so its decompressors. One JVM per call.
 */
export async function readRecordsWithJavaConsumer(
  broker: Pick<LocalKafka, 'bootstrap' | 'version'>,
  topic: string,
  count: number,
): Promise<TextRecord[]> {
  const classpath = await ensureKafkaClasspath(broker.version);
  const args = [
    ...javaArgs(classpath, 'WARN'),
    'org.apache.kafka.tools.consumer.ConsoleConsumer',
    '--bootstrap-server',
    broker.bootstrap,
    '--topic',
    topic,
    '--partition',
    '0',
    '--offset',
    'earliest',
    '--max-messages',
    String(count),
    '--timeout-ms',
    String(READ_TIMEOUT_MS),
    // Each line: the headers as name:value,name:value (NO_HEADERS when none), a tab, the key, a tab, the value.
    '--property',
    'print.headers=true',
    '--property',
    'print.key=true',
    '--property',
    `null.literal=${JAVA_NULL_LITERAL}`,
  ];
  const result = await runCommand('java', args);
  const lines = result.stdout.split('\n');
  if (lines.pop() !== '' || result.code !== 0 || lines.length !== count) {
    throw new Error(
      `Console consumer read ${lines.length} of ${count} records of ${topic} (exit ${result.code}):\n` +
        tail(result.stderr + result.stdout),
    );
  }
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
