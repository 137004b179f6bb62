// End to end in the real editor: a real Node-RED with this package linked in, driven by headless Chromium
// (Debian's chromium package through playwright-core). The trigger is added from the palette and set up in
// its edit dialog (with a new kafka-broker config node), deployed, and a produced record has to reach the
// Debug sidebar. Screenshots of every step go to test-artifacts/editor/.
//   CHROMIUM_PATH overrides /usr/bin/chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import should from 'should';
import { newTopic, produce } from '../support/kafka';
import { testBroker } from '../integration/broker.hooks';

const ROOT = path.resolve(__dirname, '..', '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'editor');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('editor: kafka trigger set up in a real browser', function () {
  this.timeout(180000);
  let workDir = '';
  let logFile = '';
  let baseUrl = '';
  let nodeRed: ChildProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let topic = '';
  let step = 0;

  const logTail = (): string =>
    existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '(no log)';

  async function screenshot(name: string): Promise<void> {
    step += 1;
    await page.screenshot({ path: path.join(ARTIFACTS, `${String(step).padStart(2, '0')}-${name}.png`) });
  }

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
    if (!existsSync(path.join(ROOT, 'dist', 'nodes', 'kafka-trigger.js')))
      throw new Error('run "npm run build" first');
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    topic = await newTopic('editor-events');

    workDir = mkdtempSync(path.join(tmpdir(), 'kafka-trigger-editor-'));
    const userDir = path.join(workDir, 'user');
    mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, path.join(userDir, 'node_modules', 'node-red-contrib-kafka-trigger'), 'dir');
    writeFileSync(path.join(userDir, 'flows.json'), '[]');
    const port = await freePort();
    writeFileSync(
      path.join(userDir, 'settings.js'),
      `module.exports = ${JSON.stringify({
        uiHost: '127.0.0.1',
        uiPort: port,
        flowFile: 'flows.json',
        credentialSecret: false,
        telemetry: { enabled: false, updateNotification: false },
        externalModules: { autoInstall: false },
        editorTheme: { tours: false, projects: { enabled: false } },
        logging: { console: { level: 'info', metrics: false, audit: false } },
      })};\n`,
    );
    logFile = path.join(workDir, 'node-red.log');
    const log = openSync(logFile, 'a');
    nodeRed = spawn(process.execPath, [require.resolve('node-red/red.js'), '--userDir', userDir], {
      cwd: workDir,
      env: { ...process.env, KAFKA_BROKERS: '' },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    baseUrl = `http://127.0.0.1:${port}/`;
    await waitForHttp(nodeRed, `${baseUrl}nodes`, 60000, logTail);

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  after(async function () {
    await browser?.close();
    if (nodeRed && nodeRed.exitCode === null && nodeRed.signalCode === null) {
      const exited = once(nodeRed, 'exit');
      nodeRed.kill('SIGTERM');
      if (!(await Promise.race([exited.then(() => true), delay(10000).then(() => false)]))) {
        nodeRed.kill('SIGKILL');
        await exited;
      }
    }
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      await screenshot('failure').catch(() => undefined);
      console.log(logTail());
    }
  });

  it('shows both node types: kafka trigger in the palette, kafka-broker as a config node', async () => {
    await page.goto(baseUrl);
    await page.waitForFunction(() => {
      const red = (window as unknown as { RED?: { nodes?: { getType(t: string): unknown } } }).RED;
      return !!red?.nodes?.getType('kafka-trigger') && !!document.querySelector('#red-ui-palette-container');
    });
    await page.locator('#red-ui-loader').waitFor({ state: 'hidden' });
    const paletteNode = page.locator('.red-ui-palette-node[data-palette-type="kafka-trigger"]');
    await paletteNode.scrollIntoViewIfNeeded();
    await paletteNode.waitFor({ state: 'visible' });
    should(await paletteNode.innerText()).containEql('kafka trigger');
    const brokerCategory = await page.evaluate(
      () => (window as unknown as EditorWindow).RED.nodes.getType('kafka-broker')?.category,
    );
    should(brokerCategory).equal('config');
    await paletteNode.hover();
    await screenshot('palette');
  });

  it('adds a trigger from the palette, configures it in its dialog, deploys it and shows trigger data', async () => {
    // 1. Drag the palette entry onto the workspace.
    const paletteNode = page.locator('.red-ui-palette-node[data-palette-type="kafka-trigger"]');
    const from = (await paletteNode.boundingBox())!;
    const chart = (await page.locator('#red-ui-workspace-chart').boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) {
      await page.mouse.move(
        from.x + ((chart.x + 300 - from.x) * i) / 10,
        from.y + ((chart.y + 160 - from.y) * i) / 10,
      );
    }
    await page.mouse.up();
    const triggerId = await page.waitForFunction(() => {
      const found: string[] = [];
      (window as unknown as EditorWindow).RED.nodes.eachNode((node) => {
        if (node.type === 'kafka-trigger') found.push(node.id);
      });
      return found[0];
    });
    const id = (await triggerId.jsonValue()) as string;
    await screenshot('dropped-on-workspace');

    // 2. Open its edit dialog: the empty topic is marked invalid.
    await page.locator(`[id="${id}"] .red-ui-flow-node`).dblclick();
    const topicInput = page.locator('#node-input-topic');
    await topicInput.waitFor({ state: 'visible' });
    await page.waitForFunction(() =>
      document.querySelector('#node-input-topic')?.classList.contains('input-error'),
    );
    await screenshot('dialog-empty-topic-invalid');

    // 3. Add a new kafka-broker config node for the test broker; try its Test connection button.
    await page.locator('#node-input-btn-broker-add').click();
    const brokers = page.locator('#node-config-input-brokers');
    await brokers.waitFor({ state: 'visible' });
    await brokers.fill('not-a-broker');
    await brokers.blur();
    await page.waitForFunction(() =>
      document.querySelector('#node-config-input-brokers')?.classList.contains('input-error'),
    );
    await brokers.fill(testBroker().bootstrap);
    await brokers.blur();
    await page.waitForFunction(
      () => !document.querySelector('#node-config-input-brokers')?.classList.contains('input-error'),
    );
    await page.locator('#node-config-input-name').fill('test broker');
    await page.locator('#node-config-kafka-broker-test').click();
    const testResult = page.locator('#node-config-kafka-broker-topics');
    await page.waitForFunction(() => {
      const text = document.querySelector('#node-config-kafka-broker-topics')?.textContent ?? '';
      return text !== '' && !/…$/.test(text);
    });
    const testText = await testResult.innerText();
    // The runtime route may answer with the topics or an error; either way the dialog shows plain text.
    should(testText).match(/Connected|Connection failed/);
    await screenshot('broker-config-dialog');
    await page.locator('#node-config-dialog-ok').click();
    await brokers.waitFor({ state: 'detached' });

    // 4. The topic: typing a valid name clears the error.
    await topicInput.fill(topic);
    await topicInput.blur();
    await page.waitForFunction(
      () => !document.querySelector('#node-input-topic')?.classList.contains('input-error'),
    );
    await page.locator('#node-input-name').fill('editor trigger');
    await screenshot('dialog-configured');
    await page.locator('#node-dialog-ok').click();
    await topicInput.waitFor({ state: 'detached' });

    // 5. A Debug node wired to the trigger (imported: wiring by mouse is not what this test is about).
    await page.evaluate((triggerNodeId) => {
      const RED = (window as unknown as EditorWindow).RED;
      const trigger = RED.nodes.node(triggerNodeId)!;
      RED.view.importNodes(
        [
          {
            id: 'editor-debug-1',
            type: 'debug',
            name: 'trigger data',
            active: true,
            tosidebar: true,
            console: false,
            tostatus: false,
            complete: 'payload',
            targetType: 'msg',
            x: (trigger.x as number) + 240,
            y: trigger.y,
            wires: [],
          },
        ],
        { generateIds: false },
      );
      // Import places nodes where the mouse last was: put the Debug node to the right of the trigger.
      const debug = RED.nodes.node('editor-debug-1')!;
      Object.assign(debug, { x: (trigger.x as number) + 240, y: trigger.y, dirty: true });
      RED.nodes.addLink({ source: trigger, sourcePort: 0, target: debug });
      RED.nodes.dirty(true);
      RED.view.redraw(true);
    }, id);
    await screenshot('debug-node-wired');

    // 6. Deploy and wait for the connected status under the trigger.
    await page.locator('#red-ui-header-button-deploy').click();
    await page.waitForFunction(
      (nodeId) =>
        document.querySelector(`[id="${nodeId}"] .red-ui-flow-node-status-label`)?.textContent ===
        'connected',
      id,
      { timeout: 60000 },
    );
    await screenshot('deployed-connected');

    // 7. Produce a record: the Debug sidebar shows the trigger data.
    await page.evaluate(() => (window as unknown as EditorWindow).RED.sidebar.show('debug'));
    await produce(topic, [
      { key: 'user-42', value: '{"user_id":"42","event_type":"login"}', headers: { source: 'editor-test' } },
    ]);
    const message = page.locator('.red-ui-debug-msg').filter({ hasText: topic });
    await message.first().waitFor({ state: 'visible', timeout: 30000 });
    await message
      .first()
      .locator('.red-ui-debug-msg-element')
      .first()
      .click()
      .catch(() => undefined);
    should(await message.first().innerText()).containEql('user-42');
    await screenshot('debug-sidebar-trigger-data');
  });
});

interface EditorNode {
  id: string;
  type: string;
  x?: number;
  y?: number;
}
interface EditorWindow {
  RED: {
    nodes: {
      getType(type: string): { category?: string } | undefined;
      eachNode(callback: (node: EditorNode) => void): void;
      node(id: string): EditorNode | undefined;
      addLink(link: { source: EditorNode; sourcePort: number; target: EditorNode }): void;
      dirty(value: boolean): void;
    };
    view: {
      importNodes(nodes: unknown[], options?: { generateIds?: boolean }): void;
      redraw(full?: boolean): void;
    };
    sidebar: { show(id: string): void };
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no TCP port to listen on');
  return address.port;
}

async function waitForHttp(
  child: ChildProcess,
  url: string,
  timeoutMs: number,
  logTail: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Node-RED exited while starting\n${logTail()}`);
    }
    try {
      if ((await fetch(url, { headers: { Accept: 'application/json' } })).ok) return;
    } catch {
      // not listening yet
    }
    await delay(250);
  }
  throw new Error(`Node-RED did not answer ${url} within ${timeoutMs} ms\n${logTail()}`);
}
