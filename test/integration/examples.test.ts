// Every flow under examples/ deploys on the test broker as a user would import it: on a tab, with the
// broker config node pointed at the test broker, each trigger's topic renamed to a fresh one, and the
// Debug nodes replaced by helper nodes with the same ids so the test sees what the sidebar would show.
// The examples as they were before nodes recorded a settings version (test/fixtures/examples-before-versions)
// deploy and behave the same, and migrate to the current version changing nothing else.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { NodeMessage } from 'node-red';
import should from 'should';
import {
  describeGroup,
  newTopic,
  produce,
  readRecords,
  testKafka,
  uniqueName,
  type ReadRecord,
} from '../support/kafka';
import { helperNode, TAB, tab, type FlowNode } from '../support/flows';
import { collect, helper, startNodeRed, statusCalls, stopNodeRed, waitForStatus } from '../support/node-red';
import type { KafkaTriggerMessage } from '../../src/nodes/types';
import {
  BROKER_MIGRATIONS,
  BROKER_VERSION,
  TRIGGER_MIGRATIONS,
  TRIGGER_VERSION,
  migrate,
} from '../../src/settings/migrations';
import { waitFor } from '../support/wait';
import { registerSchema, sharedSchemaRegistry } from '../support/schema-registry';
import { sharedBroker } from '../support/shared-broker';

/* eslint-disable @typescript-eslint/no-require-imports */
const NODE_MODULES = [
  require('../../dist/nodes/kafka-broker.js'),
  require('../../dist/nodes/kafka-trigger.js'),
  require('../../dist/nodes/kafka-produce.js'),
  require('../../dist/nodes/kafka-admin.js'),
  // The helper only knows catch, status and complete: the core nodes the examples use come from Node-RED.
  require('@node-red/nodes/core/common/90-comment.js'),
  require('@node-red/nodes/core/common/20-inject.js'),
  require('@node-red/nodes/core/function/10-switch.js'),
  require('@node-red/nodes/core/function/10-function.js'),
  require('@node-red/nodes/core/network/05-tls.js'),
];
/* eslint-enable @typescript-eslint/no-require-imports */

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const BEFORE_VERSIONS = path.resolve(__dirname, '..', 'fixtures', 'examples-before-versions');
/** The examples that were exported before nodes recorded a version. */
const BEFORE_VERSIONS_TESTED = [
  'basic-trigger-to-debug',
  'custom-group-earliest-routing',
  'secure-broker-sasl-tls',
  'complete-delivery-dead-letter',
];
const TESTED = [
  ...BEFORE_VERSIONS_TESTED,
  'topic-to-topic-pipeline',
  'exactly-once-pipeline',
  'binary-payloads-buffer',
  'avro-schema-registry',
  'batch-output-bulk-write',
  'replay-from-time',
  'pause-resume-switch',
  'kafka-admin-operations',
];

interface Example {
  flow: FlowNode[];
  /** The original topic name of each trigger, mapped to the fresh topic the test uses. */
  topics: Map<string, string>;
  triggers: FlowNode[];
}

function readExample(folder: string, name: string): FlowNode[] {
  return JSON.parse(readFileSync(path.join(folder, `${name}.json`), 'utf8')) as FlowNode[];
}

/** The example as a deployable flow; creates a fresh topic for each of its triggers. */
async function prepare(folder: string, name: string): Promise<Example> {
  const nodes = readExample(folder, name);
  const topics = new Map<string, string>();
  for (const node of nodes) {
    if (node.type !== 'kafka-trigger' && node.type !== 'kafka-produce') continue;
    for (const name of [node.topic, node.dead_letter_topic]) {
      if (typeof name === 'string' && name && !topics.has(name)) topics.set(name, await newTopic(name));
    }
  }
  const flow: FlowNode[] = [tab()];
  for (const node of nodes) {
    if (node.type === 'kafka-broker') flow.push({ ...node, brokers: sharedBroker().bootstrap });
    else if (node.type === 'tls-config') flow.push(node);
    else if (node.type === 'debug') flow.push({ ...helperNode(node.id), name: node.name });
    else if (node.type === 'kafka-trigger' || node.type === 'kafka-produce')
      flow.push({
        ...node,
        z: TAB,
        topic: topics.get(String(node.topic)),
        ...(node.dead_letter_topic
          ? { dead_letter_topic: topics.get(node.dead_letter_topic as string) }
          : {}),
      });
    else flow.push({ ...node, z: TAB });
  }
  return { flow, topics, triggers: flow.filter((node) => node.type === 'kafka-trigger') };
}

/** The end offset of each partition of a topic. */
async function fetchEndOffsets(topic: string): Promise<number[]> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).map((partition) => Number(partition.high));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Every record of a one-partition topic that a read_committed reader sees: a marker record is
 * produced after them and read back, and a read_committed reader only gets past the transactions
 * before the marker once each is committed or aborted.
 */
async function readCommittedToEnd(topic: string): Promise<ReadRecord[]> {
  const marker = uniqueName('end-of-topic');
  await produce(topic, [{ value: marker }]);
  const consumer = testKafka().consumer({ groupId: uniqueName('committed-reader') });
  const records: ReadRecord[] = [];
  let atMarker = false;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (String(message.value) === marker) atMarker = true;
        else if (!atMarker)
          records.push({
            partition,
            offset: Number(message.offset),
            key: message.key,
            value: message.value,
            headers: message.headers ?? {},
          });
      },
    });
    await waitFor(() => atMarker, 30000, `the end of ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

async function deployExample(example: Example, credentials: Record<string, unknown> = {}): Promise<void> {
  await helper.load(NODE_MODULES, example.flow, credentials);
}

function nodeNamed(example: Example, type: string, name: string): FlowNode {
  const node = example.flow.find((candidate) => candidate.type === type && candidate.name === name);
  if (!node) throw new Error(`no ${type} node named ${name}`);
  return node;
}

describe('examples', function () {
  it('are all covered by this test', () => {
    const files = readdirSync(EXAMPLES)
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.replace(/\.json$/, ''));
    should(files.sort()).eql([...TESTED].sort());
    should(readdirSync(BEFORE_VERSIONS).sort()).eql(
      BEFORE_VERSIONS_TESTED.map((name) => `${name}.json`).sort(),
    );
  });

  it('record the current version and complete delivery, the default of a trigger added from the palette (exactly-once in its own example)', () => {
    for (const name of TESTED) {
      const delivery = name === 'exactly-once-pipeline' ? 'exactly-once' : 'complete';
      for (const trigger of readExample(EXAMPLES, name).filter((node) => node.type === 'kafka-trigger')) {
        should(trigger).containEql({ version: TRIGGER_VERSION, delivery });
      }
    }
  });

  it('before versions, they differed in nothing else but the delivery they now state and its comment', () => {
    for (const name of BEFORE_VERSIONS_TESTED) {
      const before = readExample(BEFORE_VERSIONS, name);
      const migrated = before.map((node) =>
        node.type === 'kafka-trigger'
          ? migrate(node, TRIGGER_MIGRATIONS)
          : node.type === 'kafka-broker'
            ? migrate(node, BROKER_MIGRATIONS)
            : node,
      );
      for (const node of before.filter((n) => n.type === 'kafka-trigger' || n.type === 'kafka-broker')) {
        should(node).not.have.property('version');
      }
      for (const [index, node] of migrated.entries()) {
        if (node.type === 'kafka-trigger') {
          should(node.version).equal(TRIGGER_VERSION, name);
          // The migration keeps what an older flow ran on: hand-off unless it said otherwise.
          should(node.delivery).equal(before[index].delivery ?? 'handoff', name);
        }
        if (node.type === 'kafka-broker') should(node.version).equal(BROKER_VERSION, name);
      }
      const shipped = readExample(EXAMPLES, name);
      // A comment may have gained a paragraph on delivery after its old text.
      const comparable = (nodes: FlowNode[], reference: FlowNode[]): FlowNode[] =>
        nodes.map((node, index) => {
          const { delivery: _delivery, info, ...rest } = node;
          const older = reference[index]?.info;
          return node.type === 'comment' && typeof info === 'string' && typeof older === 'string'
            ? { ...rest, info: info.startsWith(older) ? older : info }
            : node.type === 'kafka-trigger'
              ? rest
              : node;
        });
      should(comparable(shipped, migrated)).eql(comparable(migrated, migrated), name);
    }
  });

  for (const [folder, title] of [
    [EXAMPLES, 'as shipped'],
    [BEFORE_VERSIONS, 'as exported before versions'],
  ] as const) {
    describe(title, () => {
      beforeEach(startNodeRed);
      afterEach(stopNodeRed);

      it('basic-trigger-to-debug: every record reaches the Debug node', async () => {
        const example = await prepare(folder, 'basic-trigger-to-debug');
        await deployExample(example);
        const [trigger] = example.triggers;
        await waitForStatus(trigger.id, 'connected');
        const debug = example.flow.find((node) => node.type === 'helper')!;
        const received = collect(debug.id);
        const topic = example.topics.get('demo-events')!;
        await produce(topic, [{ key: 'user-1', value: '{"user_id":"1","event_type":"login"}' }]);
        await waitFor(() => received.length === 1, 30000, 'one message at the Debug node');
        should(received[0].payload).containDeep({
          topic,
          key: 'user-1',
          message: { user_id: '1', event_type: 'login' },
        });
      });

      it('custom-group-earliest-routing: reads older records in its group and routes them by event type', async () => {
        const example = await prepare(folder, 'custom-group-earliest-routing');
        const [trigger] = example.triggers;
        // A group of its own for this run, so that no committed offset from an earlier run applies.
        const group = uniqueName(String(trigger.consumer_group));
        trigger.consumer_group = group;
        const topic = example.topics.get('user-events')!;
        // Produced before the deploy: start_from earliest must still deliver them.
        await produce(topic, [
          { value: '{"user_id":"1","event_type":"login"}' },
          { value: '{"user_id":"1","event_type":"purchase"}' },
          { value: 'not json' },
          { value: '{"user_id":"2","event_type":"login"}' },
        ]);
        const logins = nodeNamed(example, 'helper', 'logins');
        const others = nodeNamed(example, 'helper', 'other events');
        await deployExample(example);
        const loginMessages = collect<KafkaTriggerMessage>(logins.id);
        const otherMessages = collect<KafkaTriggerMessage>(others.id);
        await waitFor(() => loginMessages.length + otherMessages.length === 4, 30000, 'four routed messages');
        should(loginMessages.map((msg) => msg.payload.offset)).eql([0, 3]);
        should(otherMessages.map((msg) => msg.payload.offset)).eql([1, 2]);
        should(otherMessages[1].payload.message).eql({ raw_message: 'not json' });
        should(loginMessages[0].kafka.groupId).equal(group);
      });

      it('complete-delivery-dead-letter: processes good orders and dead-letters the failing one', async () => {
        const example = await prepare(folder, 'complete-delivery-dead-letter');
        const [trigger] = example.triggers;
        trigger.consumer_group = uniqueName(String(trigger.consumer_group));
        const topic = example.topics.get('orders')!;
        const deadLetters = example.topics.get('orders-dead-letters')!;
        await deployExample(example);
        const processed = collect(nodeNamed(example, 'helper', 'processed').id);
        const failed = collect(nodeNamed(example, 'helper', 'failed').id);
        await waitForStatus(trigger.id, 'connected');
        await produce(topic, [
          { key: 'o-1', value: '{"order_id":"1","amount":9.5}' },
          { key: 'o-2', value: '{"order_id":"2"}' },
          { key: 'o-3', value: '{"order_id":"3","amount":1}' },
        ]);
        await waitFor(
          () => processed.length === 2 && failed.length === 1,
          30000,
          'two processed, one failed',
        );
        should(processed.map((msg) => (msg.payload as unknown as { order_id: string }).order_id)).eql([
          '1',
          '3',
        ]);
        const offsets = await waitFor(
          async () => {
            const [end] = await fetchEndOffsets(deadLetters);
            return end === 1 ? end : undefined;
          },
          30000,
          'one dead letter',
        );
        should(offsets).equal(1);
      });

      if (folder === EXAMPLES) {
        it('topic-to-topic-pipeline: writes every good order to the target topic, keyed, and dead-letters the bad one', async () => {
          const example = await prepare(folder, 'topic-to-topic-pipeline');
          const [trigger] = example.triggers;
          trigger.consumer_group = uniqueName(String(trigger.consumer_group));
          const source = example.topics.get('orders')!;
          const target = example.topics.get('orders-enriched')!;
          const deadLetters = example.topics.get('orders-dead-letters')!;
          await deployExample(example);
          const written = collect<NodeMessage & { kafka: { topic: string } }>(
            nodeNamed(example, 'helper', 'written').id,
          );
          const failed = collect(nodeNamed(example, 'helper', 'failed').id);
          await waitForStatus(trigger.id, 'connected');
          await produce(source, [
            { key: 'customer-a', value: '{"order_id":"1","amount":9.5}' },
            { key: 'customer-b', value: '{"order_id":"2"}' },
            { key: 'customer-a', value: '{"order_id":"3","amount":1200,"currency":"USD"}' },
          ]);
          await waitFor(() => written.length === 2 && failed.length === 1, 30000, 'two written, one failed');
          should(written.map((msg) => msg.kafka.topic)).eql([target, target]);
          const records = await readRecords(target, 2);
          should(records.map((r) => [String(r.key), JSON.parse(String(r.value)) as unknown])).eql([
            [
              'customer-a',
              {
                order_id: '1',
                amount: 9.5,
                currency: 'EUR',
                large: false,
                source: { topic: source, partition: 0, offset: 0 },
              },
            ],
            [
              'customer-a',
              {
                order_id: '3',
                amount: 1200,
                currency: 'USD',
                large: true,
                source: { topic: source, partition: 0, offset: 2 },
              },
            ],
          ]);
          await waitFor(async () => (await fetchEndOffsets(deadLetters))[0] === 1, 30000, 'one dead letter');
          await waitFor(
            async () => (await describeGroup(String(trigger.consumer_group), source)).committed[0] === 3,
            30000,
            'all three committed',
          );
        });
      }

      if (folder === EXAMPLES) {
        it('exactly-once-pipeline: writes each good payment once, read back read_committed, and dead-letters the bad one once', async () => {
          const example = await prepare(folder, 'exactly-once-pipeline');
          const [trigger] = example.triggers;
          trigger.consumer_group = uniqueName(String(trigger.consumer_group));
          const source = example.topics.get('payments')!;
          const target = example.topics.get('payments-converted')!;
          const deadLetters = example.topics.get('payments-dead-letters')!;
          await deployExample(example);
          const written = collect(nodeNamed(example, 'helper', 'written').id);
          const failed = collect(nodeNamed(example, 'helper', 'failed').id);
          await waitForStatus(trigger.id, 'connected');
          await produce(source, [
            { key: 'customer-a', value: '{"payment_id":"p-1","amount":9.5}' },
            { key: 'customer-b', value: '{"payment_id":"p-2"}' },
            { key: 'customer-a', value: '{"payment_id":"p-3","amount":12.25,"currency":"USD"}' },
          ]);
          await waitFor(() => written.length === 2 && failed.length === 1, 30000, 'two written, one failed');
          // The offsets commit in the transactions that hold the writes: once all three are committed,
          // every record the pipeline will ever write is decided.
          await waitFor(
            async () => (await describeGroup(String(trigger.consumer_group), source)).committed[0] === 3,
            30000,
            'all three committed',
          );
          const converted = await readCommittedToEnd(target);
          should(converted.map((r) => [String(r.key), JSON.parse(String(r.value)) as unknown])).eql([
            [
              'customer-a',
              {
                payment_id: 'p-1',
                amount_cents: 950,
                currency: 'EUR',
                source: { topic: source, partition: 0, offset: 0 },
              },
            ],
            [
              'customer-a',
              {
                payment_id: 'p-3',
                amount_cents: 1225,
                currency: 'USD',
                source: { topic: source, partition: 0, offset: 2 },
              },
            ],
          ]);
          const deadLettered = await readCommittedToEnd(deadLetters);
          should(deadLettered.map((r) => String(r.value))).eql(['{"payment_id":"p-2"}']);
        });
      }

      if (folder === EXAMPLES) {
        it('batch-output-bulk-write: summarises each batch once, covering every record in order', async () => {
          const example = await prepare(folder, 'batch-output-bulk-write');
          const [trigger] = example.triggers;
          const topic = example.topics.get('sensor-readings')!;
          await deployExample(example);
          const summaries = collect(nodeNamed(example, 'helper', 'batch summaries').id);
          await waitForStatus(trigger.id, 'connected');
          await produce(
            topic,
            Array.from({ length: 12 }, (_, n) => ({ value: JSON.stringify({ sensor: 't1', celsius: n }) })),
          );
          const covered = () =>
            summaries.reduce((sum, msg) => sum + (msg.payload as unknown as { count: number }).count, 0);
          await waitFor(() => covered() === 12, 30000, 'summaries of all 12 records');
          const ranges = summaries.map(
            (msg) => msg.payload as unknown as { first_offset: number; last_offset: number },
          );
          should(ranges[0].first_offset).equal(0);
          should(ranges.at(-1)!.last_offset).equal(11);
          for (let index = 1; index < ranges.length; index += 1)
            should(ranges[index].first_offset).equal(ranges[index - 1].last_offset + 1);
          await waitFor(
            async () =>
              (
                await describeGroup(
                  (trigger.consumer_group as string) || `operion-triggers-${trigger.id}`,
                  topic,
                )
              ).committed[0] === 12,
            30000,
            'all 12 committed',
          );
        });

        it('binary-payloads-buffer: copies binary values byte for byte, keys kept', async () => {
          const example = await prepare(folder, 'binary-payloads-buffer');
          const [trigger] = example.triggers;
          const source = example.topics.get('images')!;
          const target = example.topics.get('images-copy')!;
          await deployExample(example);
          const copied = collect(nodeNamed(example, 'helper', 'copied').id);
          await waitForStatus(trigger.id, 'connected');
          const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
          const invalidUtf8 = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xc3, 0x28, 0xff]);
          await produce(source, [
            { key: 'a', value: everyByte },
            { key: 'b', value: invalidUtf8 },
          ]);
          await waitFor(() => copied.length === 2, 30000, 'two copies written');
          const records = await readRecords(target, 2);
          should(records.map((record) => String(record.key))).eql(['a', 'b']);
          should(records[0].value!.equals(everyByte)).be.true();
          should(records[1].value!.equals(invalidUtf8)).be.true();
        });

        it('avro-schema-registry: writes users through the registry, reads them back as objects, catches a bad one', async function () {
          this.timeout(120000);
          const registry = await sharedSchemaRegistry();
          const example = await prepare(folder, 'avro-schema-registry');
          const topic = example.topics.get('users-avro')!;
          const broker = example.flow.find((node) => node.type === 'kafka-broker')!;
          broker.schema_registry_url = registry.url;
          const comment = example.flow.find((node) => node.type === 'comment')!;
          // The schema the comment tells the user to register, under the test topic's subject.
          const schema = /--data '(.*)'/.exec(String(comment.info))![1];
          await registerSchema(
            registry,
            `${topic}-value`,
            (JSON.parse(schema) as { schema: string }).schema,
            'AVRO',
          );
          const [trigger] = example.triggers;
          trigger.start_from = 'earliest';
          await deployExample(example);
          const users = collect(nodeNamed(example, 'helper', 'users').id);
          const notWritten = collect(nodeNamed(example, 'helper', 'not written').id);
          await waitForStatus(trigger.id, 'connected');
          for (const name of ['a user', 'not a user']) {
            const inject = nodeNamed(example, 'inject', name);
            helper.getNode(inject.id).receive({});
          }
          await waitFor(
            () => users.length === 1 && notWritten.length === 1,
            60000,
            'one user read, one caught',
          );
          should(JSON.parse(JSON.stringify(users[0].payload.message))).eql({ id: 'user-1', age: 42 });
          should((notWritten[0] as unknown as { error: { message: string } }).error.message).equal(
            'Error: kafka-produce.errors.not-encoded',
          );
        });
      }

      if (folder === EXAMPLES) {
        it('pause-resume-switch and replay-from-time: the inject nodes pause, resume and replay the trigger', async () => {
          for (const name of ['pause-resume-switch', 'replay-from-time']) {
            const example = await prepare(folder, name);
            const [trigger] = example.triggers;
            trigger.consumer_group = uniqueName(String(trigger.consumer_group));
            const topic = [...example.topics.values()][0];
            await produce(topic, [{ value: '"one"' }]);
            await deployExample(example);
            const debug = example.flow.find((node) => node.type === 'helper')!;
            const received = collect<KafkaTriggerMessage>(debug.id);
            await waitForStatus(trigger.id, 'connected');
            await waitFor(() => received.length === 1, 30000, 'the first record');
            if (name === 'pause-resume-switch') {
              helper.getNode(nodeNamed(example, 'inject', 'pause').id).receive({});
              await waitForStatus(trigger.id, 'paused');
              await produce(topic, [{ value: '"two"' }]);
              helper.getNode(nodeNamed(example, 'inject', 'resume').id).receive({});
            } else helper.getNode(nodeNamed(example, 'inject', 'replay everything').id).receive({});
            await waitFor(() => received.length === 2, 30000, 'the second record');
            should(received.map((msg) => msg.payload.message)).eql(
              name === 'pause-resume-switch' ? ['one', 'two'] : ['one', 'one'],
            );
            await helper.unload();
          }
        });
      }

      if (folder === EXAMPLES) {
        it('kafka-admin-operations: creates the topic, lists it, shows its offsets, describes and rewinds the group', async () => {
          const example = await prepare(folder, 'kafka-admin-operations');
          const topic = uniqueName('admin-demo');
          const group = uniqueName('admin-demo-readers');
          for (const node of example.flow) {
            if (node.type === 'inject' && typeof node.payload === 'string')
              node.payload = node.payload
                .replaceAll('"admin-demo-readers"', JSON.stringify(group))
                .replaceAll('"admin-demo"', JSON.stringify(topic));
          }
          await deployExample(example);
          const results = collect<NodeMessage>(nodeNamed(example, 'helper', 'results').id);
          const errors = collect<NodeMessage>(nodeNamed(example, 'helper', 'errors').id);
          const names = [
            'create admin-demo',
            'list topics',
            'latest offsets',
            'describe group',
            'rewind group',
          ];
          for (const [index, name] of names.entries()) {
            helper.getNode(nodeNamed(example, 'inject', name).id).receive({});
            await waitFor(() => results.length + errors.length === index + 1, 40000, `the answer to ${name}`);
          }
          should(errors).be.empty();
          const [created, listed, offsets, described, rewound] = results.map((msg) => msg.payload);
          should(created).containDeep({ topic, config: { 'retention.ms': '604800000' } });
          should(listed).containDeep({ topics: [{ topic, partitions: 3 }] });
          should(offsets).eql({
            topic,
            at: 'latest',
            partitions: [0, 1, 2].map((partition) => ({ partition, offset: 0 })),
            truncated: false,
          });
          should(described).containDeep({ group, state: 'Dead', members: [] });
          should(rewound).eql({
            group,
            topic,
            partitions: [0, 1, 2].map((partition) => ({ partition, before: null, after: 0 })),
            truncated: false,
          });
          should((await describeGroup(group, topic)).committed).eql({ 0: 0, 1: 0, 2: 0 });
        });
      }

      it('secure-broker-sasl-tls: deploys and shows a clear red status on a broker without SASL or TLS', async () => {
        const example = await prepare(folder, 'secure-broker-sasl-tls');
        const [trigger] = example.triggers;
        const broker = example.flow.find((node) => node.type === 'kafka-broker')!;
        should(broker).containDeep({
          sasl_mechanism: 'scram-sha-512',
          tls: example.flow.find((n) => n.type === 'tls-config')!.id,
        });

        // As imported: no credentials in the file, so the node says what is missing and does not connect.
        await deployExample(example);
        await waitFor(
          () => statusCalls(trigger.id).some((status) => status.fill === 'red'),
          30000,
          'a red status',
        );
        const problem = statusCalls(trigger.id).find((status) => status.fill === 'red')!;
        should(problem.text).startWith('kafka-trigger.status.');
        await helper.unload();

        // With credentials the client tries TLS and SASL against the plain listener: it fails, reports it and
        // keeps Node-RED running.
        await deployExample(example, { [broker.id]: { username: 'alice', password: 'secret' } });
        await waitFor(
          () => statusCalls(trigger.id).some((status) => status.fill === 'red'),
          45000,
          'a red status with credentials',
        );
        const sent: NodeMessage[] = collect(example.flow.find((node) => node.type === 'helper')!.id);
        should(sent).be.empty();
      });
    });
  }
});
