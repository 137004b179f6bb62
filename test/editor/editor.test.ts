// End to end in the real editor: a real Node-RED with this package linked in, driven by headless Chromium
// (Debian's chromium package through playwright-core). The trigger is added from the palette and set up in
// its edit dialog (with a new kafka-broker config node), deployed, and a produced record has to reach the
// Debug sidebar. Each dialog's tabs are walked through. Screenshots of every step go to test-artifacts/editor/
// (git-ignored; the run prints the folder).
//   CHROMIUM_PATH overrides /usr/bin/chromium.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import should from 'should';
import { newTopic, produce } from '../support/kafka';
import { startNodeRedProcess, type NodeRedProcess } from '../support/node-red-process';
import { sharedBroker } from '../support/shared-broker';
import { TRIGGER_VERSION } from '../../src/settings/migrations';

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
  let baseUrl = '';
  let nodeRed: NodeRedProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let topic = '';
  let step = 0;

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
    console.log(`    screenshots: ${ARTIFACTS}`);
    topic = await newTopic('editor-events');

    nodeRed = await startNodeRedProcess({
      settings: { editorTheme: { tours: false, projects: { enabled: false } } },
      logLevel: 'info',
      env: { KAFKA_BROKERS: '' },
    });
    baseUrl = `${nodeRed.baseUrl}/`;

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    // Wide enough for the edit tray and the sidebar side by side.
    page = await browser.newPage({ viewport: { width: 1920, height: 1000 } });
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
    const id = await triggerId.jsonValue();
    await screenshot('dropped-on-workspace');

    // 2. Open its edit dialog: the empty topic is marked invalid.
    await page.locator(`[id="${id}"] .red-ui-flow-node`).dblclick();
    const topicInput = page.locator('#node-input-topic');
    await topicInput.waitFor({ state: 'visible' });
    await page.waitForFunction(() =>
      document.querySelector('#node-input-topic')?.classList.contains('input-error'),
    );
    // The tab that holds the invalid field says so on its label.
    await tabWarning('kafka-trigger-tab-read').waitFor({ state: 'visible' });
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
    await brokers.fill(sharedBroker().bootstrap);
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

    // 4. The selects list the rules' choices; the topic: typing a valid name clears the error.
    const options = (select: string) =>
      page.locator(`${select} option`).evaluateAll((list) => list.map((o) => (o as HTMLOptionElement).value));
    should(await options('#node-input-start_from')).eql(['newest', 'earliest', 'timestamp']);
    should(await options('#node-input-delivery')).eql(['handoff', 'complete', 'exactly-once']);
    should(await options('#node-input-isolation_level')).eql(['read_committed', 'read_uncommitted']);
    should(await options('#node-input-output')).eql(['record', 'batch']);
    // 4b. A trigger from the palette delivers after the flow completes. A setting only counts in the
    // mode that reads it, as at deploy: a bad max in flight is an error after the flow completes, and
    // not one on hand-off, where its row is hidden.
    should(await page.locator('#node-input-delivery').inputValue()).equal('complete');
    await openTab('kafka-trigger-tab-delivery');
    const maxInFlightRow = page.locator('.form-row', { has: page.locator('#node-input-max_in_flight') });
    const maxInFlightInvalid = (expected: boolean) =>
      page.waitForFunction(
        (invalid) =>
          document.querySelector('#node-input-max_in_flight')?.classList.contains('input-error') === invalid,
        expected,
      );
    should(await maxInFlightRow.isVisible()).be.true();
    await page.evaluate(() =>
      (window as unknown as { $: JQueryStatic }).$('#node-input-max_in_flight').val('0').trigger('change'),
    );
    await maxInFlightInvalid(true);
    await screenshot('dialog-complete-delivery-invalid');
    await page.locator('#node-input-delivery').selectOption('handoff');
    await maxInFlightInvalid(false);
    should(await maxInFlightRow.isVisible()).be.false();
    await page.locator('#node-input-delivery').selectOption('complete');
    await maxInFlightInvalid(true);
    should(await maxInFlightRow.isVisible()).be.true();
    await page.evaluate(() =>
      (window as unknown as { $: JQueryStatic }).$('#node-input-max_in_flight').val('').trigger('change'),
    );
    await maxInFlightInvalid(false);
    await openTab('kafka-trigger-tab-read');
    // 4a. Topic lists and /regex/: "list topics" lists the broker's topics and a click adds one; the
    // refresh interval shows for a /regex/ only; a bad list entry or regex is marked invalid.
    await page.locator('#node-input-kafka-trigger-list-topics').click();
    const listed = page.locator('#node-input-kafka-trigger-topics a', { hasText: topic });
    await listed.first().waitFor({ state: 'visible' });
    await screenshot('dialog-topic-list');
    await topicInput.fill('first-topic');
    await listed.first().click();
    should(await topicInput.inputValue()).equal(`first-topic, ${topic}`);
    const refreshRow = page.locator('.kafka-trigger-pattern-row');
    should(await refreshRow.isVisible()).be.false();
    for (const [value, invalid] of [
      ['first-topic, bad topic', true],
      ['first-topic,,x', true],
      ['/orders-(/', true],
      ['/^orders-/', false],
    ] as const) {
      await topicInput.fill(value);
      await topicInput.blur();
      await page.waitForFunction(
        (expected) =>
          document.querySelector('#node-input-topic')?.classList.contains('input-error') === expected,
        invalid,
      );
    }
    should(await refreshRow.isVisible()).be.true();
    await screenshot('dialog-topic-regex');
    await topicInput.fill(topic);
    await topicInput.blur();
    await page.waitForFunction(
      () => !document.querySelector('#node-input-topic')?.classList.contains('input-error'),
    );
    await tabWarning('kafka-trigger-tab-read').waitFor({ state: 'hidden' });
    await page.locator('#node-input-name').fill('editor trigger');
    await screenshot('dialog-configured');
    await page.locator('#node-dialog-ok').click();
    await topicInput.waitFor({ state: 'detached' });
    const version = await page.evaluate(
      (nodeId) => (window as unknown as EditorWindow).RED.nodes.node(nodeId)?.version,
      id,
    );
    should(version).equal(TRIGGER_VERSION);
    // A new node stores the defaults of every setting, those of exactly-once delivery too.
    const stored = await page.evaluate((nodeId) => {
      const RED = (window as unknown as EditorWindow).RED;
      return RED.nodes.convertNode(RED.nodes.node(nodeId)!);
    }, id);
    should(stored).containEql({
      delivery: 'complete',
      transaction_interval: 100,
      isolation_level: 'read_committed',
    });

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

  it('shows hand-off in the dialog of a trigger written before complete became the default', async () => {
    /** Opens the node's dialog after importing it, and reads the delivery it shows (`shot`: a screenshot first). */
    const delivery = async (node: Record<string, unknown>, shot?: string): Promise<string> => {
      await page.evaluate((imported) => {
        const RED = (window as unknown as EditorWindow).RED;
        RED.view.importNodes([imported], { generateIds: false });
        RED.editor.edit(RED.nodes.node(imported.id as string)!);
      }, node);
      const select = page.locator('#node-input-delivery');
      await page.locator('#node-input-name').waitFor({ state: 'visible' });
      await openTab('kafka-trigger-tab-delivery');
      const value = await select.inputValue();
      if (shot) await screenshot(shot);
      await page.locator('#node-dialog-cancel').click();
      await select.waitFor({ state: 'detached' });
      return value;
    };
    const written = { type: 'kafka-trigger', topic: 'older-events', x: 300, y: 320, wires: [] };
    // Exported before versions, and at version 1: neither wrote a delivery.
    should(await delivery({ ...written, id: 'editor-unversioned' })).equal('handoff');
    should(
      await delivery(
        { ...written, id: 'editor-version-1', version: 1, y: 380 },
        'dialog-older-trigger-handoff',
      ),
    ).equal('handoff');
    // A current node without a delivery gets the new default, and a delivery written down is kept.
    should(await delivery({ ...written, id: 'editor-current', version: TRIGGER_VERSION, y: 440 })).equal(
      'complete',
    );
    should(
      await delivery({ ...written, id: 'editor-v1-complete', version: 1, delivery: 'complete', y: 500 }),
    ).equal('complete');
  });
  it('fills a kafka-broker from a preset: Confluent Cloud is SASL PLAIN with TLS, MSK IAM asks for the region', async () => {
    const dialog = await openBrokerDialog();
    const row = (field: string) =>
      page.locator('.form-row', { has: page.locator(`#node-config-input-${field}`) });
    const shown = async (fields: string[]) =>
      Promise.all(fields.map(async (field) => [field, await row(field).isVisible()]));
    const mechanism = page.locator('#node-config-input-sasl_mechanism');
    const mechanismLabel = () => mechanism.locator('option:checked').innerText();
    const useTls = page.locator('#node-config-input-use_tls');
    const brokers = page.locator('#node-config-input-brokers');
    const hint = page.locator('#node-config-kafka-broker-preset-hint');
    // A new node: no TLS, no login; no preset chosen, no hint.
    should(await mechanism.inputValue()).equal('none');
    should(await useTls.isChecked()).be.false();
    await openTab('kafka-broker-tab-security');
    should(await shown(['tls', 'username', 'aws_region', 'oauth_token_url'])).eql([
      ['tls', false],
      ['username', false],
      ['aws_region', false],
      ['oauth_token_url', false],
    ]);
    await openTab('kafka-broker-tab-connection');
    should(await hint.isVisible()).be.false();
    await page.locator('#node-config-input-name').fill('cloud broker');
    await brokers.fill('kafka-1.example.com:1234,kafka-2.example.com');

    // The preset on the Connection tab fills the Security tab.
    await page.locator('#node-config-kafka-broker-preset').selectOption('confluent-cloud');
    should(await brokers.inputValue()).equal('kafka-1.example.com:9092,kafka-2.example.com:9092');
    should(await hint.innerText()).containEql('API key');
    await openTab('kafka-broker-tab-security');
    should(await mechanism.inputValue()).equal('plain');
    should(await mechanismLabel()).equal('PLAIN');
    should(await useTls.isChecked()).be.true();
    should(await shown(['tls', 'username', 'password', 'aws_region', 'oauth_client_secret'])).eql([
      ['tls', true],
      ['username', true],
      ['password', true],
      ['aws_region', false],
      ['oauth_client_secret', false],
    ]);
    await screenshot('broker-preset-confluent-cloud');

    await openTab('kafka-broker-tab-connection');
    await page.locator('#node-config-kafka-broker-preset').selectOption('msk-iam');
    should(await brokers.inputValue()).equal('kafka-1.example.com:9098,kafka-2.example.com:9098');
    should(await hint.innerText()).containEql('region');
    await openTab('kafka-broker-tab-security');
    should(await mechanism.inputValue()).equal('aws-msk-iam');
    should(await mechanismLabel()).equal('AWS MSK IAM');
    should(await useTls.isChecked()).be.true();
    should(
      await shown([
        'aws_region',
        'aws_access_key_id',
        'aws_secret_access_key',
        'aws_session_token',
        'username',
        'password',
        'oauth_token_url',
      ]),
    ).eql([
      ['aws_region', true],
      ['aws_access_key_id', true],
      ['aws_secret_access_key', true],
      ['aws_session_token', true],
      ['username', false],
      ['password', false],
      ['oauth_token_url', false],
    ]);
    await page.locator('#node-config-input-aws_region').fill('eu-west-1');
    await screenshot('broker-preset-msk-iam');
    // Test connection sends the new fields under their flow JSON and credential names; a secret that
    // shows Node-RED's stored-password placeholder goes as it is, with the node's id.
    await page.locator('#node-config-input-aws_access_key_id').fill('AKIAEXAMPLE');
    await page.locator('#node-config-input-aws_secret_access_key').fill('__PWRD__');
    await openTab('kafka-broker-tab-connection');
    const checkRequest = page.waitForRequest((request) =>
      request.url().endsWith('/kafka-trigger/broker/topics'),
    );
    await page.locator('#node-config-kafka-broker-test').click();
    const sent = (await checkRequest).postDataJSON() as Record<string, unknown>;
    should(sent).containEql({
      sasl_mechanism: 'aws-msk-iam',
      use_tls: true,
      tls: '',
      aws_region: 'eu-west-1',
      aws_access_key_id: 'AKIAEXAMPLE',
      aws_secret_access_key: '__PWRD__',
      aws_session_token: '',
      brokers: 'kafka-1.example.com:9098,kafka-2.example.com:9098',
    });
    should(sent.id).be.a.String().and.not.be.empty();
    should(Object.keys(sent)).containDeep(['oauth_token_url', 'oauth_client_id', 'oauth_client_secret']);
    await openTab('kafka-broker-tab-security');
    await page.locator('#node-config-input-aws_access_key_id').fill('');
    await page.locator('#node-config-input-aws_secret_access_key').fill('');
    await page.locator('#node-config-dialog-ok').click();
    await dialog.waitFor({ state: 'detached' });

    // The node stores the settings the preset filled, and nothing of the preset itself.
    const saved = await page.evaluate(() => {
      const RED = (window as unknown as EditorWindow).RED;
      let found: EditorNode | undefined;
      RED.nodes.eachConfig((node) => {
        if (node.type === 'kafka-broker' && node.name === 'cloud broker') found = node;
      });
      return found && RED.nodes.convertNode(found);
    });
    should.exist(saved);
    should(saved).containEql({
      sasl_mechanism: 'aws-msk-iam',
      use_tls: true,
      aws_region: 'eu-west-1',
      brokers: 'kafka-1.example.com:9098,kafka-2.example.com:9098',
    });
    should(Object.keys(saved!).filter((key) => /preset/i.test(key))).be.empty();
    should(JSON.stringify(saved)).not.match(/preset|confluent/i);
  });

  it('shows Use TLS on in the dialog of a broker written before use_tls with a TLS configuration, and off drops it', async () => {
    await page.evaluate(() => {
      const RED = (window as unknown as EditorWindow).RED;
      RED.view.importNodes(
        [
          { id: 'editor-old-tls', type: 'tls-config', name: 'old CA', verifyservercert: true },
          {
            id: 'editor-old-broker',
            type: 'kafka-broker',
            version: 1,
            name: 'older broker',
            brokers: 'kafka.example.com:9093',
            tls: 'editor-old-tls',
            sasl_mechanism: 'none',
          },
        ],
        { generateIds: false },
      );
    });
    await openBrokerDialog('editor-old-broker');
    await openTab('kafka-broker-tab-security');
    should(await page.locator('#node-config-input-use_tls').isChecked()).be.true();
    should(
      await page.locator('.form-row', { has: page.locator('#node-config-input-tls') }).isVisible(),
    ).be.true();
    should(await page.locator('#node-config-input-tls').inputValue()).equal('editor-old-tls');
    await screenshot('broker-older-with-tls');
    // Turning TLS off hides the TLS row, and saving drops the TLS configuration, which would still win.
    await page.locator('#node-config-input-use_tls').uncheck();
    should(
      await page.locator('.form-row', { has: page.locator('#node-config-input-tls') }).isVisible(),
    ).be.false();
    await page.locator('#node-config-dialog-ok').click();
    await page.locator('#node-config-input-use_tls').waitFor({ state: 'detached' });
    const saved = await page.evaluate(() => {
      const RED = (window as unknown as EditorWindow).RED;
      return RED.nodes.convertNode(RED.nodes.node('editor-old-broker')!);
    });
    should(saved).containEql({ use_tls: false, tls: '' });
  });

  it('groups the kafka-trigger dialog in tabs: each shows its settings, a mode row follows its mode, an error shows on its tab', async () => {
    await importAndEdit(
      { id: 'editor-tabs-trigger', type: 'kafka-trigger', version: TRIGGER_VERSION, topic: 'tabbed-events' },
      '#node-input-name',
    );
    // A new trigger: newest, one topic, one msg per record, after the flow completes.
    const read = ['broker', '#node-input-kafka-trigger-list-topics', 'topic', 'consumer_group', 'start_from'];
    const message = ['message_format', 'key_format', 'output'];
    const delivery = ['delivery', 'max_in_flight', 'complete_timeout', 'dead_letter_topic'];
    const advanced = [
      'session_timeout',
      'heartbeat_interval',
      'isolation_level',
      'metrics_interval',
      'control',
    ];
    const moded = [
      'topic_refresh_interval',
      'start_timestamp',
      'max_batch_size',
      'max_batch_wait',
      'transaction_interval',
    ];
    const fields = (...names: string[]) => rowsShown('node-input-', names);
    const all = [...read, ...message, ...delivery, ...advanced, ...moded, 'name'];
    await walkTabs('trigger', all, 'node-input-', {
      'kafka-trigger-tab-read': [...read, 'name'],
      'kafka-trigger-tab-message': [...message, 'name'],
      'kafka-trigger-tab-delivery': [...delivery, 'name'],
      'kafka-trigger-tab-advanced': [...advanced, 'name'],
    });

    // Each tab's mode rows show in their mode only.
    await openTab('kafka-trigger-tab-read');
    await page.locator('#node-input-start_from').selectOption('timestamp');
    should(await fields('start_timestamp', 'topic_refresh_interval')).eql(['start_timestamp']);
    await page.locator('#node-input-topic').fill('/^tabbed-/');
    await page.locator('#node-input-topic').blur();
    should(await fields('start_timestamp', 'topic_refresh_interval')).eql([
      'start_timestamp',
      'topic_refresh_interval',
    ]);
    await screenshot('trigger-tab-read-timestamp-regex');
    await page.locator('#node-input-start_from').selectOption('newest');
    should(await fields('start_timestamp')).eql([]);
    await openTab('kafka-trigger-tab-message');
    await page.locator('#node-input-output').selectOption('batch');
    should(await fields('max_batch_size', 'max_batch_wait')).eql(['max_batch_size', 'max_batch_wait']);
    await screenshot('trigger-tab-message-batch');
    await page.locator('#node-input-output').selectOption('record');
    should(await fields('max_batch_size', 'max_batch_wait')).eql([]);
    await openTab('kafka-trigger-tab-delivery');
    await page.locator('#node-input-delivery').selectOption('handoff');
    should(await fields(...delivery)).eql(['delivery']);
    await screenshot('trigger-tab-delivery-handoff');
    await page.locator('#node-input-delivery').selectOption('complete');
    should(await fields(...delivery, 'transaction_interval')).eql(delivery);
    // Exactly-once reads the settings of complete delivery and its transaction interval, whose row
    // says what exactly-once covers; a bad interval counts in that mode only.
    const exactlyOnceTip = page.locator('.form-row', {
      has: page.locator('#node-input-transaction_interval'),
    });
    await page.locator('#node-input-delivery').selectOption('exactly-once');
    should(await fields(...delivery, 'transaction_interval')).eql([...delivery, 'transaction_interval']);
    should(await exactlyOnceTip.locator('.form-tips').innerText()).match(/Kafka to Kafka only/);
    should(await page.locator('#node-input-transaction_interval').getAttribute('placeholder')).equal('100');
    await page.locator('#node-input-transaction_interval').fill('0');
    await page.locator('#node-input-transaction_interval').blur();
    await tabWarning('kafka-trigger-tab-delivery').waitFor({ state: 'visible' });
    await screenshot('trigger-tab-delivery-exactly-once-invalid');
    await page.locator('#node-input-delivery').selectOption('complete');
    await tabWarning('kafka-trigger-tab-delivery').waitFor({ state: 'hidden' });
    should(await fields('transaction_interval')).eql([]);
    await page.locator('#node-input-delivery').selectOption('exactly-once');
    await tabWarning('kafka-trigger-tab-delivery').waitFor({ state: 'visible' });
    await page.locator('#node-input-transaction_interval').fill('');
    await page.locator('#node-input-transaction_interval').blur();
    await tabWarning('kafka-trigger-tab-delivery').waitFor({ state: 'hidden' });
    await screenshot('trigger-tab-delivery-exactly-once');
    await page.locator('#node-input-delivery').selectOption('complete');
    // Isolation is read in every mode.
    await openTab('kafka-trigger-tab-advanced');
    should(await page.locator('#node-input-isolation_level').inputValue()).equal('read_committed');

    // A heartbeat above the session timeout, seen from another tab: the Advanced label warns.
    await openTab('kafka-trigger-tab-advanced');
    await page.locator('#node-input-heartbeat_interval').fill('20000');
    await page.locator('#node-input-heartbeat_interval').blur();
    await openTab('kafka-trigger-tab-read');
    await tabWarning('kafka-trigger-tab-advanced').waitFor({ state: 'visible' });
    should(await warnedTabs()).eql(['kafka-trigger-tab-advanced']);
    await screenshot('trigger-tab-warning-advanced');
    // Done keeps the error: Node-RED marks the node invalid, and the next dialog warns on the tab at once.
    await page.locator('#node-dialog-ok').click();
    await page.locator('#node-input-heartbeat_interval').waitFor({ state: 'detached' });
    should(await nodeValid('editor-tabs-trigger')).be.false();
    await editNode('editor-tabs-trigger', '#node-input-name');
    await tabWarning('kafka-trigger-tab-advanced').waitFor({ state: 'visible' });
    await openTab('kafka-trigger-tab-advanced');
    await page.locator('#node-input-heartbeat_interval').fill('');
    await page.locator('#node-input-heartbeat_interval').blur();
    await tabWarning('kafka-trigger-tab-advanced').waitFor({ state: 'hidden' });
    should(await warnedTabs()).eql([]);
    await page.locator('#node-dialog-ok').click();
    await page.locator('#node-input-heartbeat_interval').waitFor({ state: 'detached' });
    should(await nodeValid('editor-tabs-trigger')).be.true();
  });

  it('groups the kafka-broker dialog in Connection, Security and Schema Registry tabs', async () => {
    await openBrokerDialog();
    const connection = [
      '#node-config-kafka-broker-preset',
      'brokers',
      'client_id',
      '#node-config-kafka-broker-test',
    ];
    const security = ['use_tls', 'sasl_mechanism'];
    const login = ['username', 'password'];
    const oauth = [
      'oauth_token_url',
      'oauth_client_id',
      'oauth_client_secret',
      'oauth_scope',
      'oauth_audience',
    ];
    const aws = ['aws_region', 'aws_access_key_id', 'aws_secret_access_key', 'aws_session_token'];
    const registry = ['schema_registry_url'];
    const registryLogin = [
      'schema_registry_username',
      'schema_registry_password',
      '#node-config-kafka-broker-registry-test',
    ];
    const fields = (...names: string[]) => rowsShown('node-config-input-', names);
    const all = [
      ...connection,
      ...security,
      'tls',
      ...login,
      ...oauth,
      ...aws,
      ...registry,
      ...registryLogin,
      'name',
    ];
    // A new broker: no TLS, no SASL, no registry.
    await walkTabs('broker', all, 'node-config-input-', {
      'kafka-broker-tab-connection': [...connection, 'name'],
      'kafka-broker-tab-security': [...security, 'name'],
      'kafka-broker-tab-registry': [...registry, 'name'],
    });

    await openTab('kafka-broker-tab-security');
    await page.locator('#node-config-input-use_tls').check();
    should(await fields('tls')).eql(['tls']);
    await page.locator('#node-config-input-sasl_mechanism').selectOption('scram-sha-256');
    should(await fields(...login, ...oauth, ...aws)).eql(login);
    await page.locator('#node-config-input-sasl_mechanism').selectOption('oauthbearer');
    should(await fields(...login, ...oauth, ...aws)).eql(oauth);
    await screenshot('broker-tab-security-oauth');
    await page.locator('#node-config-input-sasl_mechanism').selectOption('aws-msk-iam');
    should(await fields(...login, ...oauth, ...aws)).eql(aws);
    await page.locator('#node-config-input-sasl_mechanism').selectOption('none');
    should(await fields(...login, ...oauth, ...aws)).eql([]);
    await page.locator('#node-config-input-use_tls').uncheck();
    should(await fields('tls')).eql([]);

    await openTab('kafka-broker-tab-registry');
    const url = page.locator('#node-config-input-schema_registry_url');
    await url.fill('http://registry.example.com:8081');
    await url.blur();
    should(await fields(...registry, ...registryLogin)).eql([...registry, ...registryLogin]);
    await screenshot('broker-tab-registry-url');
    // A bad registry URL, seen from the Connection tab: the Schema Registry label warns.
    await url.fill('ftp://registry.example.com');
    await url.blur();
    await openTab('kafka-broker-tab-connection');
    await tabWarning('kafka-broker-tab-registry').waitFor({ state: 'visible' });
    should(await warnedTabs()).eql(['kafka-broker-tab-registry']);
    await screenshot('broker-tab-warning-registry');
    await page.locator('#node-config-dialog-cancel').click();
    await url.waitFor({ state: 'detached' });
  });

  it('groups the kafka-produce dialog in What to write and Advanced tabs', async () => {
    await importAndEdit(
      { id: 'editor-tabs-produce', type: 'kafka-produce', topic: 'tabbed-writes', y: 620 },
      '#node-input-name',
    );
    const write = ['broker', 'topic', 'key', 'message_format'];
    const advanced = ['acks', 'idempotent', 'compression', 'send_timeout'];
    const fields = (...names: string[]) => rowsShown('node-input-', names);
    await walkTabs('produce', [...write, ...advanced, 'schema_subject', 'name'], 'node-input-', {
      'kafka-produce-tab-write': [...write, 'name'],
      'kafka-produce-tab-advanced': [...advanced, 'name'],
    });
    await page.locator('#node-input-acks').selectOption('leader');
    should(await fields(...advanced)).eql(['acks', 'compression', 'send_timeout']);
    await page.locator('#node-input-acks').selectOption('all');
    should(await fields(...advanced)).eql(advanced);
    await openTab('kafka-produce-tab-write');
    await page.locator('#node-input-message_format').selectOption('schema-registry');
    should(await fields('schema_subject')).eql(['schema_subject']);
    await screenshot('produce-tab-write-registry');
    await page.locator('#node-input-message_format').selectOption('auto');
    should(await fields('schema_subject')).eql([]);
    // A bad send timeout, seen from the first tab: the Advanced label warns.
    await openTab('kafka-produce-tab-advanced');
    await page.locator('#node-input-send_timeout').fill('soon');
    await page.locator('#node-input-send_timeout').blur();
    await openTab('kafka-produce-tab-write');
    await tabWarning('kafka-produce-tab-advanced').waitFor({ state: 'visible' });
    should(await warnedTabs()).eql(['kafka-produce-tab-advanced']);
    await screenshot('produce-tab-warning-advanced');
    await page.locator('#node-dialog-cancel').click();
    await page.locator('#node-input-send_timeout').waitFor({ state: 'detached' });
  });

  /** Opens a tab of the open dialog by clicking its label, as a user does. */
  async function openTab(tabId: string): Promise<void> {
    const label = page.locator(`#red-ui-tab-${tabId} .red-ui-tab-label`);
    const pane = page.locator(`#${tabId}`);
    await label.click();
    // Node-RED's tab bars take a click within 400 ms of the last tab click for a double click and switch
    // nothing; the click after it always counts.
    if (!(await pane.isVisible())) await label.click();
    await pane.waitFor({ state: 'visible' });
  }

  /** The warning sign on a tab's label. */
  function tabWarning(tabId: string) {
    return page.locator(`#red-ui-tab-${tabId} .kafka-dialog-tab-warning`);
  }

  /** The tabs of the open dialogs whose label shows the warning sign. */
  async function warnedTabs(): Promise<string[]> {
    return page
      .locator('.red-ui-tab', { has: page.locator('.kafka-dialog-tab-warning:visible') })
      .evaluateAll((tabs) => tabs.map((tab) => tab.id.replace(/^red-ui-tab-/, '')));
  }

  /**
   * Which of these fields' rows show, in the order given: a name is a setting's field (`prefix` + name),
   * one starting with # any element of the dialog.
   */
  async function rowsShown(prefix: string, names: string[]): Promise<string[]> {
    const shown: string[] = [];
    for (const name of names) {
      const field = page.locator(name.startsWith('#') ? name : `#${prefix}${name}`);
      if (await page.locator('.form-row', { has: field }).isVisible()) shown.push(name);
    }
    return shown;
  }

  /** Opens each tab in turn, takes its screenshot, and checks that of `all` exactly the tab's fields show. */
  async function walkTabs(
    dialog: string,
    all: string[],
    prefix: string,
    tabs: Record<string, string[]>,
  ): Promise<void> {
    for (const [tabId, expected] of Object.entries(tabs)) {
      await openTab(tabId);
      await screenshot(`${dialog}-tab-${tabId.replace(/^kafka-\w+-tab-/, '')}`);
      should(await rowsShown(prefix, all)).eql(
        all.filter((name) => expected.includes(name)),
        `${tabId} shows`,
      );
    }
  }

  /** Imports a node and opens its edit dialog; `ready` is an element that shows once it is open. */
  async function importAndEdit(node: Record<string, unknown>, ready: string): Promise<void> {
    await page.evaluate(
      (imported) =>
        (window as unknown as EditorWindow).RED.view.importNodes(
          [{ x: 300, y: 560, wires: [], ...imported }],
          // No "Imported" notification over the screenshots.
          { generateIds: false, notify: false },
        ),
      node,
    );
    await editNode(node.id as string, ready);
  }

  async function editNode(id: string, ready: string): Promise<void> {
    await page.evaluate((nodeId) => {
      const RED = (window as unknown as EditorWindow).RED;
      RED.editor.edit(RED.nodes.node(nodeId)!);
    }, id);
    await page.locator(ready).waitFor({ state: 'visible' });
  }

  /** Whether the editor counts the node as valid (an invalid one shows a red triangle in the workspace). */
  async function nodeValid(id: string): Promise<unknown> {
    return page.evaluate((nodeId) => (window as unknown as EditorWindow).RED.nodes.node(nodeId)?.valid, id);
  }

  /** Opens the kafka-broker dialog (a new node unless `id`), once its preset select is filled. */
  async function openBrokerDialog(id = '_ADD_') {
    await page.evaluate(
      (editId) => (window as unknown as EditorWindow).RED.editor.editConfig('', 'kafka-broker', editId),
      id,
    );
    const preset = page.locator('#node-config-kafka-broker-preset');
    await preset.waitFor({ state: 'visible' });
    await page.waitForFunction(
      () => document.querySelectorAll('#node-config-kafka-broker-preset option').length > 1,
    );
    return preset;
  }
});

interface EditorNode {
  id: string;
  valid?: boolean;
  type: string;
  name?: string;
  version?: number;
  x?: number;
  y?: number;
}
interface EditorWindow {
  RED: {
    nodes: {
      getType(type: string): { category?: string } | undefined;
      eachConfig(callback: (node: EditorNode) => void): void;
      convertNode(node: EditorNode): Record<string, unknown>;
      eachNode(callback: (node: EditorNode) => void): void;
      node(id: string): EditorNode | undefined;
      addLink(link: { source: EditorNode; sourcePort: number; target: EditorNode }): void;
      dirty(value: boolean): void;
    };
    view: {
      importNodes(nodes: unknown[], options?: { generateIds?: boolean; notify?: boolean }): void;
      redraw(full?: boolean): void;
    };
    sidebar: { show(id: string): void };
    editor: { edit(node: EditorNode): void; editConfig(name: string, type: string, id: string): void };
  };
}
