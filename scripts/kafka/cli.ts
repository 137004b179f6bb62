// Starts a local Kafka broker for manual testing, or only fetches its jars (CI's install step).
//   npx tsx scripts/kafka/cli.ts [--version 4.1.1]   prints KAFKA_BROKERS=127.0.0.1:PORT, runs until Ctrl-C
//   npx tsx scripts/kafka/cli.ts --fetch-only [--version 4.1.1]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_KAFKA_VERSION } from './java';
import { ensureKafkaClasspath, startLocalKafka } from './local-kafka';
import { tail } from './run-command';
import { untilSignalOrExit } from './until-signal';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      version: { type: 'string', default: DEFAULT_KAFKA_VERSION },
      'fetch-only': { type: 'boolean', default: false },
    },
  });
  if (values['fetch-only']) {
    const classpath = await ensureKafkaClasspath(values.version);
    console.error(
      `Kafka ${values.version}: ${classpath.split(path.delimiter).length} jars resolved and cached`,
    );
    return;
  }
  const broker = await startLocalKafka({ version: values.version });
  console.log(`KAFKA_BROKERS=${broker.bootstrap}`);
  console.error(
    `Kafka ${broker.version} running (pid ${broker.pid}), log: ${broker.logFile}. Ctrl-C stops it.`,
  );
  const reason = await untilSignalOrExit(() => broker.pid !== undefined);
  const log = reason === 'exited' ? tail(readFileSync(broker.logFile, 'utf8')) : undefined;
  await broker.destroy();
  if (log !== undefined) throw new Error(`The broker exited on its own. Its log ended with:\n${log}`);
  console.error('Kafka stopped');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
