// Packs the module, installs the tarball into a fresh Node-RED user directory, starts Node-RED and checks
// through its admin HTTP API that the editor gets everything the package ships: node types, editor HTML
// and help, messages, icon and example flow. Needs `npm run build` first (npm test runs it).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import should from 'should';
import {
  deployFlows,
  nodeStatus,
  startNodeRedProcess,
  type NodeRedProcess,
} from '../support/node-red-process';
import { waitFor } from '../support/wait';

const MODULE = 'node-red-contrib-kafka-trigger';
const SETS = ['kafka-trigger', 'kafka-produce', 'kafka-broker', 'kafka-admin'];
const ROOT = resolve(__dirname, '..', '..');
const RED_JS = join(ROOT, 'node_modules', 'node-red', 'red.js');
const STATUS_KEYS: Record<string, string[]> = {
  'kafka-trigger': [
    'connecting',
    'connected',
    'connected-handoff',
    'rebalancing',
    'disconnected',
    'no-brokers',
    'topic-missing',
    'error',
  ],
  'kafka-produce': ['connecting', 'connected', 'disconnected', 'no-brokers', 'invalid-settings', 'error'],
  'kafka-admin': ['invalid-settings', 'unknown-action'],
};

const execFileAsync = promisify(execFile);

interface PackResult {
  filename: string;
  files: { path: string }[];
}

interface NodeSetInfo {
  id: string;
  module: string;
  types: string[];
  enabled: boolean;
  err?: string;
}

interface Catalog {
  [key: string]: string | Catalog;
}

interface FlowNode {
  id: string;
  type: string;
  wires?: string[][];
  [property: string]: unknown;
}

describe('packaging: the packed module in a real Node-RED', function () {
  let workDir = '';
  let baseUrl = '';
  let packedFiles: string[] = [];
  let nodeRed: NodeRedProcess | undefined;

  function logTail(lines = 40): string {
    if (!nodeRed) return '(no Node-RED log)';
    return `--- Node-RED log, last ${lines} lines ---\n${nodeRed.logTail(lines)}`;
  }

  // Runs a test and, when it fails, adds the tail of the Node-RED log to the failure message.
  function withLog(test: () => Promise<void>): () => Promise<void> {
    return async () => {
      try {
        await test();
      } catch (err) {
        if (err instanceof Error) {
          Object.defineProperty(err, 'message', {
            value: `${err.message}\n${logTail()}`,
            configurable: true,
          });
        }
        throw err;
      }
    };
  }

  async function get(path: string, accept: string): Promise<Response> {
    const response = await fetch(baseUrl + path, { headers: { Accept: accept } });
    should(response.status).equal(200, `GET ${path} answered ${response.status}`);
    return response;
  }

  async function getJson<T>(path: string): Promise<T> {
    return (await (await get(path, 'application/json')).json()) as T;
  }

  before(async function () {
    for (const file of SETS.map((set) => `dist/nodes/${set}.js`)) {
      if (!existsSync(join(ROOT, file))) throw new Error(`${file} is missing: run "npm run build" first`);
    }
    workDir = mkdtempSync(join(tmpdir(), 'kafka-trigger-packaging-'));

    const packed = await execFileAsync('npm', ['pack', '--json', '--pack-destination', workDir], {
      cwd: ROOT,
    });
    const [pack] = JSON.parse(packed.stdout) as PackResult[];
    packedFiles = pack.files.map((file) => file.path);

    const userDir = join(workDir, 'user');
    mkdirSync(userDir);
    writeFileSync(
      join(userDir, 'package.json'),
      JSON.stringify({ name: 'packaging-user-dir', version: '0.0.0', private: true }),
    );
    await execFileAsync(
      'npm',
      ['install', join(workDir, pack.filename), '--no-audit', '--no-fund', '--prefer-offline'],
      { cwd: userDir },
    );

    nodeRed = await startNodeRedProcess({
      dir: workDir,
      logLevel: 'info',
      redJs: RED_JS,
      linkPackage: false,
    });
    baseUrl = nodeRed.baseUrl;
  });

  after(async function () {
    await nodeRed?.stop('SIGTERM', 10_000);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('packs the built nodes and examples, and no sources or tooling', function () {
    const shipped = [
      'package.json',
      'dist/nodes/kafka-trigger.js',
      'dist/nodes/kafka-trigger.html',
      'dist/nodes/kafka-produce.js',
      'dist/nodes/kafka-produce.html',
      'dist/nodes/kafka-broker.js',
      'dist/nodes/kafka-broker.html',
      'dist/nodes/kafka-admin.js',
      'dist/nodes/kafka-admin.html',
      'dist/nodes/locales/en-US/kafka-trigger.json',
      'dist/nodes/locales/en-US/kafka-trigger.html',
      'dist/nodes/locales/en-US/kafka-produce.json',
      'dist/nodes/locales/en-US/kafka-produce.html',
      'dist/nodes/locales/en-US/kafka-broker.json',
      'dist/nodes/locales/en-US/kafka-broker.html',
      'dist/nodes/locales/en-US/kafka-admin.json',
      'dist/nodes/locales/en-US/kafka-admin.html',
      'dist/nodes/icons/kafka-trigger.svg',
      'dist/nodes/icons/kafka-produce.svg',
      'dist/nodes/icons/kafka-admin.svg',
      'examples/basic-trigger-to-debug.json',
      'examples/custom-group-earliest-routing.json',
      'examples/secure-broker-sasl-tls.json',
      'examples/complete-delivery-dead-letter.json',
      'examples/topic-to-topic-pipeline.json',
      'examples/exactly-once-pipeline.json',
      'examples/binary-payloads-buffer.json',
      'examples/avro-schema-registry.json',
      'examples/batch-output-bulk-write.json',
      'examples/replay-from-time.json',
      'examples/pause-resume-switch.json',
      'examples/kafka-admin-operations.json',
      'dist/cli/kafka-trigger-cli.js',
      // The editor's Kafka sidebar plugin.
      'dist/plugins/kafka-sidebar.js',
      'dist/plugins/kafka-sidebar.html',
      ...['en-US', 'de', 'ja'].map((lang) => `dist/plugins/locales/${lang}/kafka-sidebar.json`),
      ...['de', 'ja'].flatMap((lang) =>
        SETS.flatMap((set) => [
          `dist/nodes/locales/${lang}/${set}.json`,
          `dist/nodes/locales/${lang}/${set}.html`,
        ]),
      ),
    ];
    for (const file of shipped) should(packedFiles.includes(file)).be.true(`${file} is not in the tarball`);
    const unwanted = packedFiles.filter((file) => /^(test|scripts|src|\.ci|bench)\//.test(file));
    should(unwanted).be.empty();
  });

  it('installs the kafka-trigger command line, which validates a flows file without a broker', async () => {
    const bin = join(workDir, 'user', 'node_modules', '.bin', 'kafka-trigger');
    should(existsSync(bin)).be.true('node_modules/.bin/kafka-trigger is missing');
    const flowsFile = join(workDir, 'cli-flows.json');
    writeFileSync(
      flowsFile,
      JSON.stringify([
        { id: 'b1', type: 'kafka-broker', brokers: 'kafka1:9092' },
        { id: 'ok', type: 'kafka-trigger', broker: 'b1', topic: 'orders' },
        { id: 'bad', type: 'kafka-trigger', broker: 'b1', topic: '' },
        { id: 'out', type: 'kafka-produce', broker: 'b1', topic: 'orders-out' },
        { id: 'badout', type: 'kafka-produce', broker: 'b1', topic: 'orders-out', acks: 'most' },
      ]),
    );
    const result = await execFileAsync(bin, ['validate', flowsFile]).then(
      (done) => ({ code: 0, stdout: done.stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    should(result.code).equal(1);
    should(result.stdout)
      .containEql('ok (orders): OK')
      .and.containEql('bad: INVALID: A topic is required')
      .and.containEql('out (orders-out): OK')
      .and.containEql('badout (orders-out): INVALID: Invalid acks "most": use all, leader or none');
  });

  describe('without the AWS signer, an optional peer dependency', () => {
    const MSK_FLOW = [
      { id: 'msk-tab', type: 'tab', label: 'msk' },
      {
        id: 'msk-broker',
        type: 'kafka-broker',
        brokers: 'b-1.example.com:9098',
        sasl_mechanism: 'aws-msk-iam',
        aws_region: 'eu-west-1',
      },
      {
        id: 'msk-trigger',
        type: 'kafka-trigger',
        z: 'msk-tab',
        broker: 'msk-broker',
        topic: 'orders',
        wires: [[]],
      },
    ];
    const INSTALL_HINT =
      'SASL aws-msk-iam needs the package aws-msk-iam-sasl-signer-js: run "npm install aws-msk-iam-sasl-signer-js" in the Node-RED user directory, then restart Node-RED';

    it('is not installed with the package', () => {
      const userModules = join(workDir, 'user', 'node_modules');
      should(existsSync(join(userModules, MODULE))).be.true();
      should(existsSync(join(userModules, 'aws-msk-iam-sasl-signer-js'))).be.false();
      should(existsSync(join(userModules, '@aws-sdk'))).be.false();
    });

    it('is named by validate for an aws-msk-iam broker', async () => {
      const flowsFile = join(workDir, 'msk-flows.json');
      writeFileSync(flowsFile, JSON.stringify(MSK_FLOW));
      const bin = join(workDir, 'user', 'node_modules', '.bin', 'kafka-trigger');
      const result = await execFileAsync(bin, ['validate', flowsFile]).then(
        (done) => ({ code: 0, stdout: done.stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
      should(result.code).equal(1);
      should(result.stdout).containEql(`msk-trigger (orders): INVALID: ${INSTALL_HINT}`);
    });

    it(
      'is named at deploy, and the trigger shows invalid settings without connecting',
      withLog(async () => {
        await deployFlows(nodeRed!, MSK_FLOW);
        await waitFor(() => nodeRed!.log().includes(INSTALL_HINT), 30000, 'the install hint in the log');
        await waitFor(
          async () => (await nodeStatus(nodeRed!, 'msk-trigger')) === 'invalid-settings',
          30000,
          'the invalid settings badge',
        );
        await deployFlows(nodeRed!, []);
      }),
    );
  });

  it(
    'registers every node type of the module, enabled and without errors',
    withLog(async () => {
      const sets = (await getJson<NodeSetInfo[]>('/nodes')).filter((set) => set.module === MODULE);
      should(sets.map((set) => set.id).sort()).eql(SETS.map((set) => `${MODULE}/${set}`).sort());
      for (const set of sets) {
        should(set.err).be.undefined();
        should(set.enabled).be.true();
        should(set.types).eql([set.id.slice(MODULE.length + 1)]);
      }
    }),
  );

  it(
    'serves the editor code, edit templates and help of every node',
    withLog(async () => {
      const html = await (await get('/nodes', 'text/html')).text();
      for (const set of SETS) {
        const block = moduleBlock(html, set);
        should(block).match(new RegExp(`registerType\\(\\s*['"]${set}['"]`));
        should(block).containEql(`data-template-name="${set}"`);
        should(block).containEql(`data-help-name="${set}"`);
      }
      should(moduleBlock(html, 'kafka-trigger')).match(/<h3>Outputs<\/h3>[\s\S]*class="message-properties"/);
      should(moduleBlock(html, 'kafka-produce')).match(/<h3>Inputs<\/h3>[\s\S]*class="message-properties"/);
    }),
  );

  it(
    'has real text for every message key the editor uses, and short status texts',
    withLog(async () => {
      const html = await (await get('/nodes', 'text/html')).text();
      const catalogs = await getJson<Record<string, Catalog>>('/nodes/messages?lng=en-US');
      for (const set of SETS) {
        const catalog = catalogs[`${MODULE}/${set}`];
        should.exist(catalog, `no message catalog for ${MODULE}/${set}`);
        const keys = editorKeys(moduleBlock(html, set));
        should(keys).not.be.empty();
        for (const key of keys) {
          const text = lookup(catalog, key);
          should(typeof text).equal('string', `message ${key} of ${set} is missing`);
          should(text).not.equal(key, `message ${key} of ${set} is untranslated`);
        }
      }
      for (const [set, statuses] of Object.entries(STATUS_KEYS)) {
        for (const status of statuses) {
          const text = lookup(catalogs[`${MODULE}/${set}`], `${set}.status.${status}`);
          should(typeof text).equal('string', `status text ${set} ${status} is missing`);
          should((text as string).length).be.belowOrEqual(20, `status text ${set} ${status} is too long`);
        }
      }
    }),
  );

  it(
    'lists and serves the node icons',
    withLog(async () => {
      const icons = await getJson<Record<string, string[]>>('/icons');
      for (const icon of ['kafka-trigger.svg', 'kafka-produce.svg', 'kafka-admin.svg']) {
        should(icons[MODULE]).containEql(icon);
        const response = await get(`/icons/${MODULE}/${icon}`, 'image/svg+xml');
        should(response.headers.get('content-type')).startWith('image/svg+xml');
        // An unknown icon is answered with Node-RED's default icon, so compare the content too.
        should(await response.text()).equal(readFileSync(join(ROOT, 'icons', icon), 'utf8'));
      }
    }),
  );

  it(
    'offers every example flow, each made of core nodes and ours with a Comment node',
    withLog(async () => {
      const known = new Set((await getJson<NodeSetInfo[]>('/nodes')).flatMap((set) => set.types));
      for (const fn of [
        'custom-group-earliest-routing',
        'secure-broker-sasl-tls',
        'topic-to-topic-pipeline',
        'exactly-once-pipeline',
        'kafka-admin-operations',
      ]) {
        const flow = await getJson<FlowNode[]>(`/library/examples/flows/${MODULE}/${fn}`);
        for (const node of flow)
          should(known.has(node.type)).be.true(`${fn}: unknown node type ${node.type}`);
        should(flow.some((node) => node.type === 'comment')).be.true(`${fn} has no Comment node`);
      }
    }),
  );

  it(
    'offers the basic example flow, made of core nodes and ours',
    withLog(async () => {
      const examples = await getJson<{ fn: string }[]>(`/library/examples/flows/${MODULE}`);
      should(examples).containEql({ fn: 'basic-trigger-to-debug' });
      should(examples).containEql({ fn: 'custom-group-earliest-routing' });
      should(examples).containEql({ fn: 'secure-broker-sasl-tls' });
      should(examples).containEql({ fn: 'complete-delivery-dead-letter' });
      should(examples).containEql({ fn: 'topic-to-topic-pipeline' });
      should(examples).containEql({ fn: 'exactly-once-pipeline' });
      const flow = await getJson<FlowNode[]>(`/library/examples/flows/${MODULE}/basic-trigger-to-debug`);
      should(flow).be.an.Array();
      const known = new Set((await getJson<NodeSetInfo[]>('/nodes')).flatMap((set) => set.types));
      for (const node of flow) should(known.has(node.type)).be.true(`unknown node type ${node.type}`);
      const trigger = flow.find((node) => node.type === 'kafka-trigger');
      const debug = flow.find((node) => node.type === 'debug');
      should.exist(trigger);
      should.exist(debug);
      should(trigger?.topic).equal('demo-events');
      should(trigger?.wires).eql([[debug?.id]]);
      should(flow.some((node) => node.type === 'comment')).be.true();
      should(flow.some((node) => node.type === 'kafka-broker' && node.id === trigger?.broker)).be.true();
    }),
  );
});

// The part of GET /nodes (text/html) that one of our node sets contributes.
function moduleBlock(html: string, set: string): string {
  const marker = `<!-- --- [red-module:${MODULE}/${set}] --- -->`;
  const start = html.indexOf(marker);
  should(start).not.equal(-1, `no editor HTML for ${MODULE}/${set}`);
  const end = html.indexOf('<!-- --- [red-module:', start + marker.length);
  return html.slice(start, end === -1 ? undefined : end);
}

// Message keys in data-i18n attributes and in calls to a node's _() translation function.
function editorKeys(html: string): string[] {
  const keys = new Set<string>();
  for (const match of html.matchAll(/data-i18n="([^"]+)"/g)) {
    for (const key of match[1].split(';')) keys.add(key.replace(/^\[[^\]]*\]/, ''));
  }
  for (const match of html.matchAll(/\._\(\s*'([^']+)'/g)) keys.add(match[1]);
  return [...keys];
}

function lookup(catalog: Catalog, key: string): string | Catalog | undefined {
  let value: string | Catalog | undefined = catalog;
  for (const part of key.split('.')) {
    value = typeof value === 'object' ? value[part] : undefined;
  }
  return value;
}
