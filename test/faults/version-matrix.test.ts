// Version matrix: the packed module on Node-RED 5 running on Node.js 22, and on Node-RED 4 running on
// Node.js 18, each fetched from the npm registry (the `node` package ships Node.js binaries) into
// .cache/fault-matrix. Checks /nodes and one real consume. Needs `npm run build` first.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import should from 'should';
import { createTopic } from '../../scripts/kafka/local-kafka';
import { produce, uniqueName } from '../support/kafka';
import { printFigures } from '../support/faults';
import { brokerNode, fileRecorderNode, tab, triggerNode } from '../support/flows';
import { startNodeRedProcess, type NodeRedProcess } from '../support/node-red-process';
import { waitFor } from '../support/wait';
import { sharedBroker } from '../support/shared-broker';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const CACHE = path.join(ROOT, '.cache', 'fault-matrix');
/** Node.js and Node-RED majors beyond the dev setup (Node 20, Node-RED 4.1) that the package declares. */
const MATRIX = [
  { node: '22', nodeRed: '5' },
  { node: '18', nodeRed: '4' },
];

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

for (const { node: NODE_MAJOR, nodeRed: NODE_RED_MAJOR } of MATRIX)
  describe(`version matrix: Node-RED ${NODE_RED_MAJOR} on Node.js ${NODE_MAJOR}`, function () {
    this.timeout(600000);
    const workDir = mkdtempSync(path.join(tmpdir(), 'kafka-trigger-matrix-'));
    let nodeRed: NodeRedProcess | undefined;

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
      const nodeBinary = path.join(nodePrefix, 'node_modules', 'node', 'bin', 'node');
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
      should(sets.flatMap((set) => set.types).sort()).eql(['kafka-broker', 'kafka-produce', 'kafka-trigger']);
      for (const set of sets) {
        should(set.err).be.undefined();
        should(set.enabled).be.true();
      }
      should(delivered?.message).eql({ hello: `node-red ${NODE_RED_MAJOR}` }, nodeRed.logTail());
    });
  });
