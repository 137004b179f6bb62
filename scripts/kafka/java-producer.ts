// Writes records with Kafka's own Java producer, so tests read batches exactly as the Java client encodes them.
import { ensureKafkaClasspath, javaArgs } from './java';
import type { LocalKafka } from './local-kafka';
import { runCommand, tail } from './run-command';

export type JavaCompression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface JavaProduceOptions {
  /** When set, each line is split at its first separator into key and value. */
  keySeparator?: string;
}

/**
 * Sends one record per line with the console producer. Records are batched (and compressed) together
 * as the producer sees fit; lines must not contain newlines.
 */
export async function produceWithJavaClient(
  broker: Pick<LocalKafka, 'bootstrap' | 'version'>,
  topic: string,
  lines: string[],
  compression: JavaCompression,
  options: JavaProduceOptions = {},
): Promise<void> {
  if (lines.some((line) => /[\r\n]/.test(line))) {
    throw new Error('Lines for the console producer must not contain newlines');
  }
  const classpath = await ensureKafkaClasspath(broker.version);
  const args = [
    ...javaArgs(classpath, 'WARN'),
    consoleProducerClass(broker.version),
    '--bootstrap-server',
    broker.bootstrap,
    '--topic',
    topic,
    '--compression-codec',
    compression,
    // Fail fast when the topic does not exist instead of waiting the default minute.
    '--max-block-ms',
    '15000',
    ...keyArgs(options.keySeparator),
  ];
  const result = await runCommand('java', args, lines.map((line) => `${line}\n`).join(''));
  // Failed sends are only logged, so an ERROR line counts as a failure even with exit code 0.
  if (result.code !== 0 || /\] ERROR /.test(result.stderr)) {
    throw new Error(`Console producer failed (exit ${result.code}):\n${tail(result.stderr + result.stdout)}`);
  }
}

/** The console producer moved from the Scala core to the tools module in Kafka 4.0. */
function consoleProducerClass(version: string): string {
  const major = Number(version.split('.')[0]);
  return major >= 4 ? 'org.apache.kafka.tools.ConsoleProducer' : 'kafka.tools.ConsoleProducer';
}

function keyArgs(keySeparator: string | undefined): string[] {
  if (keySeparator === undefined) return [];
  return ['--property', 'parse.key=true', '--property', `key.separator=${keySeparator}`];
}
