// `npm start`: a local Kafka broker (unless KAFKA_BROKERS is set), a demo topic, and Node-RED on
// 127.0.0.1 with this package and the basic example flow, fed with sample events so the Debug
// sidebar shows trigger data at once. Ctrl-C stops everything it started.
//   NODE_RED_PORT (default 1880), LOG_LEVEL (Node-RED's log level, default info)
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startLocalKafka, type LocalKafka } from './kafka/local-kafka';
import { withAdmin } from './kafka/topics';

const ROOT = path.resolve(__dirname, '..');
const TOPIC = 'demo-events';
const SAMPLE_EVERY_MS = 3000;
const EVENT_TYPES = ['login', 'purchase', 'logout'];

async function main(): Promise<void> {
  const port = Number(process.env.NODE_RED_PORT ?? 1880);
  let broker: LocalKafka | undefined;
  if (!process.env.KAFKA_BROKERS) {
    log('Starting a local Kafka broker (the first run downloads its jars with Maven)...');
    broker = await startLocalKafka();
  }
  const brokers = process.env.KAFKA_BROKERS ?? broker!.bootstrap;
  const userDir = mkdtempSync(path.join(tmpdir(), 'kafka-trigger-demo-'));
  let nodeRed: ChildProcess | undefined;
  let producer: Producer | undefined;
  let sampler: NodeJS.Timeout | undefined;

  const stop = async (): Promise<void> => {
    clearInterval(sampler);
    await producer?.disconnect().catch(() => undefined);
    if (nodeRed && nodeRed.exitCode === null) {
      nodeRed.kill('SIGINT');
      await once(nodeRed, 'exit');
    }
    await broker?.destroy();
    rmSync(userDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(0)));

  try {
    await ensureTopic(brokers);
    prepareUserDir(userDir, port);
    log(`Starting Node-RED on http://127.0.0.1:${port}/ with KAFKA_BROKERS=${brokers}`);
    nodeRed = spawn(process.execPath, [require.resolve('node-red/red.js'), '--userDir', userDir], {
      env: { ...process.env, KAFKA_BROKERS: brokers },
      stdio: 'inherit',
    });
    nodeRed.once('exit', (code) => {
      if (code !== null && code !== 0) log(`Node-RED exited with code ${code}`);
    });
    producer = new Kafka({
      brokers: brokers.split(','),
      clientId: 'demo-producer',
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
    let sequence = 0;
    const sendSample = (): Promise<unknown> =>
      producer!.send({ topic: TOPIC, messages: [sampleEvent(++sequence)] });
    sampler = setInterval(
      () => void sendSample().catch((error: Error) => log(`sample not sent: ${error.message}`)),
      SAMPLE_EVERY_MS,
    );
    log(`Producing a sample event to ${TOPIC} every ${SAMPLE_EVERY_MS / 1000} s. Ctrl-C stops everything.`);
  } catch (error) {
    await stop();
    throw error;
  }
}

async function ensureTopic(brokers: string): Promise<void> {
  await withAdmin({ bootstrap: brokers }, async (admin) => {
    const topics = await admin.listTopics();
    if (!topics.includes(TOPIC))
      await admin.createTopics({ topics: [{ topic: TOPIC }], waitForLeaders: true });
  });
}

/** A Node-RED user dir with this package linked in and the basic example as its flow. */
function prepareUserDir(userDir: string, port: number): void {
  mkdirSync(path.join(userDir, 'node_modules'));
  symlinkSync(ROOT, path.join(userDir, 'node_modules', 'node-red-contrib-kafka-trigger'), 'dir');
  const example = JSON.parse(
    readFileSync(path.join(ROOT, 'examples', 'basic-trigger-to-debug.json'), 'utf8'),
  ) as Record<string, unknown>[];
  const tab = { id: 'demo-tab', type: 'tab', label: 'Kafka trigger demo' };
  const flow = example.map((node) => {
    // A blank broker list makes the config node use KAFKA_BROKERS, which Node-RED gets from this script.
    if (node.type === 'kafka-broker') return { ...node, brokers: '' };
    // Example files leave nodes off any tab (Import places them); a flows file needs one.
    return { ...node, z: tab.id };
  });
  writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify([tab, ...flow], null, 2));
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: port,
    flowFile: 'flows.json',
    credentialSecret: false,
    logging: { console: { level: process.env.LOG_LEVEL ?? 'info', metrics: false, audit: false } },
  };
  writeFileSync(
    path.join(userDir, 'settings.js'),
    `module.exports = ${JSON.stringify(settings, null, 2)};\n`,
  );
}

function sampleEvent(sequence: number) {
  const userId = String(100 + (sequence % 7));
  return {
    key: `user-${userId}`,
    value: JSON.stringify({
      user_id: userId,
      event_type: EVENT_TYPES[sequence % EVENT_TYPES.length],
      sequence,
      timestamp: new Date().toISOString(),
    }),
    headers: { 'content-type': 'application/json', source: 'npm-start-demo' },
  };
}

function log(line: string): void {
  console.log(`[npm start] ${line}`);
}

main().catch((error: unknown) => {
  console.error(`[npm start] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
