// Version matrix: the packed module on Node-RED 5 running on Node.js 24 and on Node.js 22, and on
// Node-RED 4 running on Node.js 18, each fetched from the npm registry (the `node` package ships Node.js
// binaries) into .cache/fault-matrix. Checks /nodes and one real consume; on Node.js 24, also that zstd
// batches kafka-produce writes read back whole with kcat and with Kafka's Java consumer. Needs
// `npm run build` first.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import should from 'should';
import { createTopic } from '../../scripts/kafka/local-kafka';
import { produce, uniqueName } from '../support/kafka';
import { printFigures } from '../support/faults';
import {
  brokerNode,
  fileRecorderNode,
  functionNode,
  produceNode,
  tab,
  TAB,
  triggerNode,
} from '../support/flows';
import { deployFlows, startNodeRedProcess, type NodeRedProcess } from '../support/node-red-process';
import {
  dumpStoredBatches,
  readRecordsWithJavaConsumer,
  readRecordsWithKcat,
  type TextRecord,
} from '../support/read-back';
import { ensureKcat } from '../support/kcat';
import { waitFor } from '../support/wait';
import { sharedBroker } from '../support/shared-broker';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const CACHE = path.join(ROOT, '.cache', 'fault-matrix');
/**
 * Node.js and Node-RED majors beyond the dev setup (Node 20, Node-RED 4.1) that the package declares.
 * zstdReadBack: also read back zstd written by kafka-produce, on the Node.js that Node-RED 5 recommends.
 */
const MATRIX = [
  { node: '24', nodeRed: '5', zstdReadBack: true },
  { node: '22', nodeRed: '5', zstdReadBack: false },
  { node: '18', nodeRed: '4', zstdReadBack: false },
];

const ZSTD_RECORDS = 50;
// Repetitive values, so the batch really shrinks; keys and one header per record, all plain text.
const ZSTD_TEXT = 'zstd written by kafka-produce '.repeat(20);

/** The record kafka-produce writes for msg `i`, built the same way in the function node below. */
function zstdRecord(i: number): TextRecord {
  return { key: `k${i}`, value: JSON.stringify({ i, text: ZSTD_TEXT }), headers: { seq: String(i) } };
}

/** Function node code that sends ZSTD_RECORDS msgs, one per zstdRecord, when the inject fires. */
const ZSTD_FAN_OUT = `const text = ${JSON.stringify(ZSTD_TEXT)};
return [Array.from({ length: ${ZSTD_RECORDS} }, (_, i) => ({
  key: 'k' + i,
  payload: JSON.stringify({ i, text }),
  headers: { seq: String(i) },
}))];`;

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await execFileAsync('npm', [...args, '--no-audit', '--no-fund'], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** Installs `spec` into its own prefix under the cache once; returns the prefix. */
async function cachedInstall(name: string, spec: string, marker: string): Promise<string> {
  const prefix = path.join(CACHE, name);
  if (!existsSync(path.join(prefix, marker))) {
    mkdirSync(prefix, { recursive: true });
    await npm(['install', '--prefix', prefix, spec], prefix);
  }
  return prefix;
}

interface NodeSetInfo {
  id: string;
  module: string;
  types: string[];
  enabled: boolean;
  err?: string;
}

for (const { node: NODE_MAJOR, nodeRed: NODE_RED_MAJOR, zstdReadBack } of MATRIX)
  describe(`version matrix: Node-RED ${NODE_RED_MAJOR} on Node.js ${NODE_MAJOR}`, function () {
    this.timeout(600000);
    const workDir = mkdtempSync(path.join(tmpdir(), 'kafka-trigger-matrix-'));
    let nodeRed: NodeRedProcess | undefined;
    let nodeBinary = '';

    after(async () => {
      await nodeRed?.stop('SIGTERM');
      rmSync(workDir, { recursive: true, force: true });
    });

    it('loads the packed module without errors and consumes a record', async () => {
      const nodePrefix = await cachedInstall(
        `node-${NODE_MAJOR}`,
        `node@${NODE_MAJOR}`,
        'node_modules/node/bin/node',
      );
      nodeBinary = path.join(nodePrefix, 'node_modules', 'node', 'bin', 'node');
      const { stdout: nodeVersion } = await execFileAsync(nodeBinary, ['--version']);
      const redPrefix = await cachedInstall(
        `node-red-${NODE_RED_MAJOR}`,
        `node-red@${NODE_RED_MAJOR}`,
        'node_modules/node-red/red.js',
      );
      const redJs = path.join(redPrefix, 'node_modules', 'node-red', 'red.js');
      const { version: redVersion } = JSON.parse(
        readFileSync(path.join(redPrefix, 'node_modules', 'node-red', 'package.json'), 'utf8'),
      ) as { version: string };

      const [pack] = JSON.parse(await npm(['pack', '--json', '--pack-destination', workDir], ROOT)) as {
        filename: string;
      }[];
      const dir = path.join(workDir, 'red');
      const userDir = path.join(dir, 'user');
      mkdirSync(userDir, { recursive: true });
      writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'matrix', private: true }));
      await npm(['install', path.join(workDir, pack.filename), '--prefer-offline'], userDir);

      const broker = sharedBroker();
      const topic = uniqueName('matrix');
      await createTopic(broker, topic);
      const out = path.join(workDir, 'deliveries.jsonl');
      nodeRed = await startNodeRedProcess({
        dir,
        nodeBinary,
        redJs,
        linkPackage: false,
        logLevel: 'info',
        flows: [
          tab('matrix'),
          brokerNode('broker1', broker.bootstrap),
          triggerNode('trigger1', { broker: 'broker1', topic, start_from: 'earliest' }, ['recorder']),
          fileRecorderNode('recorder', out),
        ],
      });
      const response = await fetch(`${nodeRed.baseUrl}/nodes`, { headers: { Accept: 'application/json' } });
      const sets = ((await response.json()) as NodeSetInfo[]).filter(
        (set) => set.module === 'node-red-contrib-kafka-trigger',
      );
      await produce(topic, [{ key: 'k', value: `{"hello":"node-red ${NODE_RED_MAJOR}"}` }], broker);
      const delivered = await waitFor(
        () => existsSync(out) && readFileSync(out, 'utf8').trim() !== '',
        60000,
        'the record written by the file node',
      )
        .then(() => JSON.parse(readFileSync(out, 'utf8').trim().split('\n')[0]) as { message: unknown })
        .catch(() => undefined);
      printFigures(`node${NODE_MAJOR}-node-red${NODE_RED_MAJOR}`, {
        node: nodeVersion.trim(),
        node_red: redVersion,
        node_sets: sets
          .map((set) => `${set.types.join('+')}:${set.enabled ? 'enabled' : 'disabled'}`)
          .join(','),
        set_errors: sets.filter((set) => set.err).length,
        consumed: delivered ? 'yes' : 'no',
      });
      should(sets.flatMap((set) => set.types).sort()).eql([
        'kafka-admin',
        'kafka-broker',
        'kafka-produce',
        'kafka-trigger',
      ]);
      // The editor's Kafka sidebar is a plugin of the same module: it must load in every version too.
      const pluginAnswer = await fetch(`${nodeRed.baseUrl}/plugins`, {
        headers: { Accept: 'application/json' },
      });
      const plugins = ((await pluginAnswer.json()) as NodeSetInfo[]).filter(
        (set) => set.module === 'node-red-contrib-kafka-trigger',
      );
      should(plugins.map((set) => set.err)).eql([undefined], JSON.stringify(plugins));
      for (const set of [...sets, ...plugins]) {
        should(set.err).be.undefined();
        should(set.enabled).be.true();
      }
      should(delivered?.message).eql({ hello: `node-red ${NODE_RED_MAJOR}` }, nodeRed.logTail());
    });
    if (zstdReadBack)
      it('writes zstd batches with kafka-produce that kcat and the Java consumer read back whole', async () => {
        if (!nodeRed) throw new Error('Node-RED did not start in the previous test');
        const kcat = await ensureKcat();
        const { stdout: zlibZstd } = await execFileAsync(nodeBinary, [
          '-p',
          "typeof require('node:zlib').zstdCompress",
        ]);
        const broker = sharedBroker();
        const topic = uniqueName('matrix-zstd');
        await createTopic(broker, topic, 1);
        const written = path.join(workDir, 'written.jsonl');
        const started = Date.now();
        await deployFlows(nodeRed, [
          tab('matrix zstd'),
          brokerNode('broker1', broker.bootstrap),
          {
            id: 'inject1',
            type: 'inject',
            z: TAB,
            name: '',
            props: [{ p: 'payload' }],
            repeat: '',
            crontab: '',
            once: true,
            onceDelay: 0.1,
            topic: '',
            payload: '',
            payloadType: 'date',
            wires: [['fan']],
          },
          functionNode('fan', ZSTD_FAN_OUT, [['produce1']]),
          produceNode('produce1', { broker: 'broker1', topic, compression: 'zstd' }, ['written']),
          fileRecorderNode('written', written),
        ]);
        // kafka-produce sends each msg on once the broker acknowledged its record.
        const acknowledged = (): number =>
          existsSync(written) ? readFileSync(written, 'utf8').split('\n').filter(Boolean).length : 0;
        await waitFor(
          () => acknowledged() === ZSTD_RECORDS,
          60000,
          `${ZSTD_RECORDS} zstd records written`,
        ).catch(() => undefined);
        const writeMs = Date.now() - started;
        const expected = Array.from({ length: ZSTD_RECORDS }, (_, i) => zstdRecord(i));
        // A failed read counts as no records, so the figures still print; its error is asserted below.
        const errors: string[] = [];
        const read = <T>(reader: () => Promise<T[]>): Promise<T[]> =>
          acknowledged() === ZSTD_RECORDS
            ? reader().catch((error: unknown) => {
                errors.push(String(error));
                return [];
              })
            : Promise.resolve([]);
        const byKcat = await read(() => readRecordsWithKcat(broker.bootstrap, topic, ZSTD_RECORDS));
        const byJava = await read(() => readRecordsWithJavaConsumer(broker, topic, ZSTD_RECORDS));
        const batches = await read(async () => (await dumpStoredBatches(broker, [topic]))[topic]);
        const same = (records: TextRecord[]): number =>
          records.filter((record, i) => JSON.stringify(record) === JSON.stringify(expected[i])).length;
        printFigures(`node${NODE_MAJOR}-node-red${NODE_RED_MAJOR}-zstd`, {
          kcat: JSON.stringify(kcat),
          zlib_zstdCompress: zlibZstd.trim(),
          written: `${acknowledged()}/${ZSTD_RECORDS}`,
          write_ms: writeMs,
          kcat_exact: `${same(byKcat)}/${ZSTD_RECORDS}`,
          java_exact: `${same(byJava)}/${ZSTD_RECORDS}`,
          batches: batches
            .map((batch) => `${batch.count}:${batch.compression}:${batch.valid ? 'valid' : 'invalid'}`)
            .join(','),
        });
        // A runtime without zstd in zlib: kafka-produce logs compressionProblem's reason, which the tail shows.
        should(acknowledged()).equal(ZSTD_RECORDS, nodeRed.logTail());
        should(errors).eql([]);
        should(byKcat).eql(expected);
        should(byJava).eql(expected);
        should(batches.reduce((sum, batch) => sum + batch.count, 0)).equal(ZSTD_RECORDS);
        for (const batch of batches)
          should(batch).eql({ count: batch.count, compression: 'zstd', valid: true });
      });
  });
