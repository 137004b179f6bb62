// The Kafka sidebar in real Chromium against the real broker: the tab lists a deployed trigger with
// the exact lag of a paused trigger after more records arrive and a chart; a click on a topic shows
// its end offsets; resetting an idle group works and a group with a running trigger is refused.
// Screenshots go to a temp dir, printed in the log.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import should from 'should';
import { brokerNode, tab, triggerNode } from '../support/flows';
import { newTopic, produce, testKafka, uniqueName } from '../support/kafka';
import { startNodeRedProcess, type NodeRedProcess } from '../support/node-red-process';
import { sharedBroker } from '../support/shared-broker';
import { waitFor } from '../support/wait';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { registerSchema, sharedSchemaRegistry } from '../support/schema-registry';

const ROOT = path.resolve(__dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface EditorWindow {
  RED: { sidebar: { show(id: string): void } };
}

describe('editor: the Kafka sidebar in a real browser', function () {
  this.timeout(180000);
  const screenshots = mkdtempSync(path.join(tmpdir(), 'kafka-sidebar-'));
  let nodeRed: NodeRedProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let topic = '';
  let group = '';
  let idle = '';
  let avroTopic = '';
  let step = 0;

  async function screenshot(name: string): Promise<void> {
    step += 1;
    await page.screenshot({ path: path.join(screenshots, `${String(step).padStart(2, '0')}-${name}.png`) });
  }

  async function showKafkaTab(): Promise<void> {
    await waitFor(async () => {
      await page.evaluate(() => (window as unknown as EditorWindow).RED.sidebar.show('kafka'));
      return page.locator('#kafka-sidebar').isVisible();
    });
  }

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
    if (!existsSync(path.join(ROOT, 'dist', 'plugins', 'kafka-sidebar.html')))
      throw new Error('run "npm run build" first');
    console.log(`    screenshots: ${screenshots}`);
    topic = await newTopic('sidebar-editor');
    group = uniqueName('sidebar-editor-group');
    idle = uniqueName('sidebar-idle-group');
    await produce(topic, [{ value: 'a' }, { value: 'b' }]);
    const admin = testKafka().admin();
    await admin.connect();
    await admin.setOffsets({ groupId: idle, topic, partitions: [{ partition: 0, offset: '0' }] });
    await admin.disconnect();
    const registry = await sharedSchemaRegistry();
    avroTopic = await newTopic('sidebar-avro');
    const schema = JSON.stringify({
      type: 'record',
      name: 'Order',
      fields: [
        { name: 'item', type: 'string' },
        { name: 'amount', type: 'int' },
      ],
    });
    const id = await registerSchema(registry, `${avroTopic}-value`, schema, 'AVRO');
    const encoder = new SchemaRegistry({ host: registry.url });
    for (const [item, amount] of [
      ['tea', 1],
      ['cake', 2],
      ['bread', 3],
    ] as const)
      await produce(avroTopic, [{ key: item, value: await encoder.encode(id, { item, amount }) }]);
    nodeRed = await startNodeRedProcess({
      settings: { editorTheme: { tours: false, projects: { enabled: false } } },
      flows: [
        tab(),
        brokerNode('b1', sharedBroker().bootstrap, {
          name: 'editor broker',
          schema_registry_url: registry.url,
        }),
        triggerNode('t1', {
          name: 'orders trigger',
          broker: 'b1',
          topic,
          consumer_group: group,
          start_from: 'earliest',
          control: true,
        }),
        { id: 'in', type: 'http in', z: 'tab1', url: '/pause', method: 'post', wires: [['set', 'out']] },
        { id: 'out', type: 'http response', z: 'tab1', wires: [] },
        {
          id: 'set',
          type: 'change',
          z: 'tab1',
          rules: [{ t: 'set', p: 'action', pt: 'msg', to: 'pause', tot: 'str' }],
          wires: [['t1']],
        },
      ],
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(`${nodeRed.baseUrl}/`);
    await page.locator('#red-ui-loader').waitFor({ state: 'hidden' });
    // The editor shows its info tab once it has drawn the flows: ours after that.
    await page.locator('[id="t1"]').waitFor({ state: 'attached' });
    await showKafkaTab();
  });

  after(async function () {
    await browser?.close();
    await nodeRed?.stop('SIGTERM', 10000);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      await screenshot('failure').catch(() => undefined);
      console.log(nodeRed?.logTail() ?? '(no log)');
    }
  });

  it("lists the deployed trigger, with a paused trigger's exact lag from the broker and a chart", async () => {
    await showKafkaTab();
    const row = page.locator('.kafka-sidebar-deployed li[data-node="t1"]');
    await row.waitFor({ state: 'visible' });
    should(await row.innerText()).containEql('orders trigger');
    await page.waitForFunction(
      () => document.querySelector('li[data-node="t1"] .kafka-sidebar-lag')?.textContent === '0',
    );
    await fetch(`${nodeRed!.baseUrl}/pause`, { method: 'POST' });
    await page.waitForFunction(() =>
      /paused/.test(document.querySelector('li[data-node="t1"] .kafka-sidebar-state')?.textContent ?? ''),
    );
    await produce(topic, [{ value: 'c' }, { value: 'd' }, { value: 'e' }]);
    await page.waitForFunction(
      () => document.querySelector('li[data-node="t1"] .kafka-sidebar-lag')?.textContent === '3',
      undefined,
      { timeout: 30000 },
    );
    // Two points at least make a line.
    await page.waitForFunction(() => {
      const points = document.querySelector('li[data-node="t1"] svg polyline')?.getAttribute('points') ?? '';
      return points.split(' ').length >= 2;
    });
    await screenshot('deployed-paused-lag-chart');
  });

  it("shows a topic's end offsets on a click, and filters the list", async () => {
    const entry = page.locator(`.kafka-sidebar-topic[data-topic="${topic}"]`);
    await entry.waitFor({ state: 'visible' });
    await page.locator('.kafka-sidebar-filter').fill(topic);
    await entry.locator('a').click();
    await waitFor(async () => /^0\s+5$/m.test(await entry.locator('table').innerText()));
    await screenshot('topic-end-offsets');
  });

  it('shows the newest Avro records of a topic, decoded through the registry', async () => {
    const entry = page.locator(`.kafka-sidebar-topic[data-topic="${avroTopic}"]`);
    await page.locator('.kafka-sidebar-filter').fill(avroTopic);
    await entry.locator('a').first().click();
    await entry.locator('.kafka-sidebar-peek-count').fill('2');
    await entry.locator('.kafka-sidebar-peek-format').selectOption('schema-registry');
    await entry.locator('.kafka-sidebar-peek-show').click();
    const values = entry.locator('.kafka-sidebar-peek-value');
    await waitFor(async () => (await values.count()) === 2 || undefined);
    should(await values.allInnerTexts()).eql(['{"item":"bread","amount":3}', '{"item":"cake","amount":2}']);
    await screenshot('topic-newest-avro-records');
  });

  it('resets an idle group after showing before and after, and refuses a group with a running trigger', async () => {
    const groupRow = (name: string) => page.locator('.kafka-sidebar-group', { hasText: name });
    await groupRow(idle).locator('a').click();
    await groupRow(idle).locator('.kafka-sidebar-reset-plan').click();
    const confirm = groupRow(idle).locator('.kafka-sidebar-reset-confirm');
    await confirm.waitFor({ state: 'visible' });
    should(await groupRow(idle).locator('.kafka-sidebar-reset-outcome').innerText()).match(/0\s+0\s+0/);
    await screenshot('reset-confirmation');
    // latest, chosen before confirming, is what the plan after the choice shows.
    await groupRow(idle).locator('.kafka-sidebar-reset-to').selectOption('latest');
    await groupRow(idle).locator('.kafka-sidebar-reset-plan').click();
    await waitFor(async () =>
      /^0\s+0\s+5$/m.test(await groupRow(idle).locator('.kafka-sidebar-reset-outcome').innerText()),
    );
    await groupRow(idle).locator('.kafka-sidebar-reset-confirm').click();
    // The group's table, shown again after the reset, has its new committed offset.
    await waitFor(async () =>
      /\s0\s+5\s+5\s+0$/m.test(await groupRow(idle).locator('table').first().innerText()),
    );
    const admin = testKafka().admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: idle, topics: [topic] });
    await admin.disconnect();
    should(committed.partitions[0].offset).equal('5');
    await screenshot('reset-done');

    await groupRow(group).locator('a').click();
    await groupRow(group).locator('.kafka-sidebar-reset-plan').click();
    await groupRow(group).locator('.kafka-sidebar-reset-confirm').click();
    const refusal = groupRow(group).locator('.kafka-sidebar-failure');
    await refusal.waitFor({ state: 'visible', timeout: 60000 });
    should(await refusal.innerText()).match(/member/i);
    await screenshot('reset-refused');
  });
});
