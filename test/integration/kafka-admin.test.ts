// kafka-admin against the real broker, inside the test helper's Node-RED runtime: every action, bad
// input included, with what it did checked on the broker by a client of the test's own.
import { createServer, type Server, type Socket } from 'node:net';
import type { Consumer } from 'kafkajs';
import type { NodeMessage } from 'node-red';
import should from 'should';
import { sharedBroker } from '../support/shared-broker';
import { describeGroup, newTopic, produce, testKafka, uniqueName } from '../support/kafka';
import { brokerNode, catchWatcher, helperNode, tab, TAB } from '../support/flows';
import {
  collect,
  deploy,
  getNode,
  startNodeRed,
  statusCalls,
  stopNodeRed,
  withEnglishMessages,
  type NodeModule,
} from '../support/node-red';
import { waitFor } from '../support/wait';
import { ADMIN_ACTIONS } from '../../src/admin/admin-actions';
import { ADMIN_VERSION } from '../../src/settings/migrations';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkaAdmin = withEnglishMessages(require('../../dist/nodes/kafka-admin.js') as NodeModule, [
  'kafka-admin',
  'kafka-broker',
]);

interface AskedMessage extends NodeMessage {
  ask: number;
  kept?: string;
}
interface CaughtMessage extends AskedMessage {
  error: { message: string };
}
type Answer = { payload: unknown; msg: AskedMessage } | { error: string };

let out: AskedMessage[] = [];
let caught: CaughtMessage[] = [];
let asked = 0;

/** Deploys admin1 on broker1 (the test broker unless told), wired to 'out', and a Catch node for it. */
async function deployAdmin(
  props: Record<string, unknown> = {},
  brokers = sharedBroker().bootstrap,
): Promise<void> {
  await deploy(
    [
      tab(),
      brokerNode('broker1', brokers),
      {
        id: 'admin1',
        type: 'kafka-admin',
        version: ADMIN_VERSION,
        z: TAB,
        name: '',
        broker: 'broker1',
        allow_delete: false,
        ...props,
        wires: [['out']],
      },
      helperNode('out'),
      ...catchWatcher('catch1', ['admin1'], 'caught'),
    ],
    {},
    [kafkaAdmin],
  );
  out = collect<AskedMessage>('out');
  caught = collect<CaughtMessage>('caught');
}

/** Sends a msg to admin1 and waits for it at the output, or at the Catch node with its error. */
async function ask(msg: Record<string, unknown>, timeoutMs = 30000): Promise<Answer> {
  const id = ++asked;
  getNode<{ receive(msg: unknown): void }>('admin1').receive({ ...msg, ask: id });
  return waitFor<Answer | undefined>(
    () => {
      const sent = out.find((candidate) => candidate.ask === id);
      if (sent) return { payload: sent.payload, msg: sent };
      const failed = caught.find((candidate) => candidate.ask === id);
      return failed && { error: failed.error.message.replace(/^Error: /, '') };
    },
    timeoutMs,
    `the answer to ${String(msg.action)}`,
  ) as Promise<Answer>;
}

async function result<T>(msg: Record<string, unknown>): Promise<T> {
  const answer = await ask(msg);
  if ('error' in answer) throw new Error(`${String(msg.action)} failed: ${answer.error}`);
  return answer.payload as T;
}

async function failure(msg: Record<string, unknown>): Promise<string> {
  const answer = await ask(msg);
  if (!('error' in answer))
    throw new Error(`${String(msg.action)} answered ${JSON.stringify(answer.payload)}`);
  return answer.error;
}

async function brokerTopics(): Promise<string[]> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

/** A consumer of the group on the topic, from its start, that has joined and read `count` records. */
async function runningConsumer(
  group: string,
  topic: string,
  count: number,
): Promise<{ consumer: Consumer; offsets: number[] }> {
  const consumer = testKafka().consumer({ groupId: group });
  const offsets: number[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void offsets.push(Number(message.offset)) });
  await waitFor(() => offsets.length >= count, 30000, `${count} records read in ${group}`);
  return { consumer, offsets };
}

describe('kafka-admin', function () {
  beforeEach(startNodeRed);
  afterEach(stopNodeRed);

  it('creates a topic with its partitions and config, lists and describes it, and refuses it twice', async () => {
    await deployAdmin();
    const topic = uniqueName('admin-create');
    const created = await ask({
      action: 'create-topic',
      payload: {
        topic,
        partitions: 3,
        replication_factor: 1,
        config: { 'retention.ms': 3600000, 'cleanup.policy': 'compact' },
      },
      kept: 'yes',
    });
    if ('error' in created) throw new Error(created.error);
    // The msg passes on, its result in msg.payload.
    should(created.msg.kept).equal('yes');
    should(created.payload).containDeep({
      topic,
      config: { 'retention.ms': '3600000', 'cleanup.policy': 'compact' },
      truncated: false,
    });
    const { partitions } = created.payload as {
      partitions: { partition: number; leader: number; isr: number[] }[];
    };
    should(partitions.map(({ partition }) => partition)).eql([0, 1, 2]);
    for (const partition of partitions) should(partition.isr).eql([partition.leader]);
    should(await brokerTopics()).containEql(topic);

    const listed = await result<{ topics: { topic: string; partitions: number }[]; truncated: boolean }>({
      action: 'list-topics',
    });
    should(listed.topics).containEql({ topic, partitions: 3 });
    should(listed.topics.some(({ topic: name }) => name.startsWith('__'))).be.false();
    should(listed.truncated).be.false();

    should(await result({ action: 'describe-topic', topic })).eql(created.payload);
    should(await failure({ action: 'create-topic', payload: { topic } })).equal(
      `create-topic failed: Topic "${topic}" already exists`,
    );
  });

  it('refuses bad input, a missing topic and an unknown action with clear errors, and keeps working', async () => {
    await deployAdmin();
    const missing = uniqueName('admin-missing');
    should(await failure({ action: 'describe-topic', payload: { topic: missing } })).equal(
      `describe-topic failed: Topic "${missing}" does not exist`,
    );
    should(await failure({ action: 'topic-offsets', payload: { topic: missing } })).equal(
      `topic-offsets failed: Topic "${missing}" does not exist`,
    );
    should(
      await failure({ action: 'create-topic', payload: { topic: uniqueName('admin-bad'), partitions: 0 } }),
    ).equal('create-topic failed: Invalid partitions "0": use a whole number from 1 to 100000');
    should(await failure({ action: 'create-topic', payload: { topic: 'not valid!' } })).startWith(
      'create-topic failed: Invalid topic "not valid!"',
    );
    should(await failure({ action: 'describe-group', payload: 42 })).startWith(
      'describe-group failed: Invalid group',
    );
    should(await failure({ action: 'drop-all', payload: {} })).equal(
      `Unknown msg.action "drop-all": use one of ${ADMIN_ACTIONS.join(', ')}`,
    );
    should(await failure({ payload: {} })).startWith('Unknown msg.action "undefined"');
    should(statusCalls('admin1').at(-1)).containEql({
      fill: 'red',
      text: 'kafka-admin.status.unknown-action',
    });
    // Still answering, and the badge clears once an action succeeds.
    await result({ action: 'list-groups' });
    should(
      statusCalls('admin1').some((call) => call.fill === 'blue' && call.text === 'list-groups'),
    ).be.true();
    should(statusCalls('admin1').at(-1)).eql({ text: undefined });
  });

  it('deletes a topic only with allow_delete', async () => {
    const topic = await newTopic('admin-delete');
    await deployAdmin();
    should(await failure({ action: 'delete-topic', payload: { topic } })).equal(
      `delete-topic failed: Deleting topic "${topic}" is not allowed: turn on Allow delete on this node`,
    );
    should(await brokerTopics()).containEql(topic);

    await stopNodeRed();
    await startNodeRed();
    await deployAdmin({ allow_delete: true });
    should(await result({ action: 'delete-topic', topic })).eql({ topic, deleted: true });
    await waitFor(async () => !(await brokerTopics()).includes(topic), 30000, `${topic} gone`);
    should(await failure({ action: 'delete-topic', topic })).equal(
      `delete-topic failed: Topic "${topic}" does not exist`,
    );
  });

  it('answers the earliest, latest and at-a-time offsets of each partition', async () => {
    const topic = await newTopic('admin-offsets', 2);
    const start = Date.now() - 60000;
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [0, 1, 2, 3].map((n) => ({
        value: `r${n}`,
        partition: 0,
        timestamp: String(start + n * 1000),
      })),
    });
    await producer.disconnect();
    await deployAdmin();

    should(await result({ action: 'topic-offsets', payload: { topic, at: 'earliest' } })).eql({
      topic,
      at: 'earliest',
      partitions: [
        { partition: 0, offset: 0 },
        { partition: 1, offset: 0 },
      ],
      truncated: false,
    });
    should(await result({ action: 'topic-offsets', topic })).containDeep({
      at: 'latest',
      partitions: [
        { partition: 0, offset: 4 },
        { partition: 1, offset: 0 },
      ],
    });
    // The first record at or after the time; past a partition's last record, its end.
    should(await result({ action: 'topic-offsets', payload: { topic, at: start + 1500 } })).containDeep({
      at: start + 1500,
      partitions: [
        { partition: 0, offset: 2 },
        { partition: 1, offset: 0 },
      ],
    });
    const iso = new Date(start + 3000).toISOString();
    should(await result({ action: 'topic-offsets', payload: { topic, at: iso } })).containDeep({
      partitions: [{ partition: 0, offset: 3 }],
    });
    should(await failure({ action: 'topic-offsets', payload: { topic, at: 'yesterday' } })).startWith(
      'topic-offsets failed: Invalid at "yesterday"',
    );
  });

  it('lists groups and describes one: state, members with their partitions, committed offsets and lag', async () => {
    const topic = await newTopic('admin-groups', 2);
    const group = uniqueName('admin-group');
    await produce(
      topic,
      [0, 1, 0, 1, 0, 1].map((partition, n) => ({ value: `v${n}`, partition })),
    );
    await deployAdmin();
    const { consumer } = await runningConsumer(group, topic, 6);
    try {
      await waitFor(async () => (await describeGroup(group, topic)).committed[0] === 3, 30000, 'commits');
      const running = await result<{ state: string; members: { assignment: Record<string, number[]> }[] }>({
        action: 'describe-group',
        payload: { group },
      });
      should(running.state).equal('Stable');
      should(running.members).have.length(1);
      should(running.members[0].assignment).eql({ [topic]: [0, 1] });
    } finally {
      await consumer.disconnect();
    }
    // The consumer is gone; records arrive that nobody reads.
    await produce(topic, [
      { value: 'late-1', partition: 0 },
      { value: 'late-2', partition: 0 },
    ]);
    await waitFor(async () => (await describeGroup(group, topic)).state === 'Empty', 30000, 'group empty');
    should(await result({ action: 'describe-group', payload: group })).eql({
      group,
      state: 'Empty',
      protocolType: 'consumer',
      members: [],
      offsets: [
        { topic, partition: 0, committed: 3, end: 5, lag: 2 },
        { topic, partition: 1, committed: 3, end: 3, lag: 0 },
      ],
      lag: 2,
      truncated: false,
    });
    const { groups } = await result<{ groups: { group: string; protocolType: string }[] }>({
      action: 'list-groups',
    });
    should(groups).containEql({ group, protocolType: 'consumer' });
    // A group the broker does not know.
    should(
      await result({ action: 'describe-group', payload: { group: uniqueName('admin-nobody') } }),
    ).containDeep({
      state: 'Dead',
      members: [],
      offsets: [],
      lag: 0,
    });
  });

  it('refuses to reset a group with an active member; once it left, resets it, and the next consumer starts there', async () => {
    const topic = await newTopic('admin-reset', 2);
    const group = uniqueName('admin-reset-group');
    await produce(
      topic,
      [0, 1, 0, 1, 0, 1, 0, 1].map((partition, n) => ({ value: `v${n}`, partition })),
    );
    await deployAdmin();
    const first = await runningConsumer(group, topic, 8);
    await waitFor(async () => (await describeGroup(group, topic)).committed[1] === 4, 30000, 'commits');
    try {
      should(await failure({ action: 'reset-offsets', payload: { group, topic, to: 'earliest' } })).equal(
        `reset-offsets failed: Group "${group}" has 1 active member(s): stop its consumers first, Kafka moves only the offsets of a group nobody reads in`,
      );
      should((await describeGroup(group, topic)).committed).eql({ 0: 4, 1: 4 });
    } finally {
      await first.consumer.disconnect();
    }
    await waitFor(async () => (await describeGroup(group, topic)).members === 0, 30000, 'the member gone');

    should(await result({ action: 'reset-offsets', payload: { group, topic, to: { '0': 1 } } })).eql({
      group,
      topic,
      partitions: [{ partition: 0, before: 4, after: 1 }],
      truncated: false,
    });
    should((await describeGroup(group, topic)).committed).eql({ 0: 1, 1: 4 });
    should(await failure({ action: 'reset-offsets', payload: { group, topic, to: { '0': 99 } } })).equal(
      `reset-offsets failed: Offset 99 is outside partition 0 of "${topic}": use 0 to 4`,
    );
    should(await failure({ action: 'reset-offsets', payload: { group, topic, to: { '5': 0 } } })).equal(
      `reset-offsets failed: Topic "${topic}" has no partition 5 (it has 2)`,
    );
    should(await result({ action: 'reset-offsets', payload: { group, topic, to: 'earliest' } })).eql({
      group,
      topic,
      partitions: [
        { partition: 0, before: 1, after: 0 },
        { partition: 1, before: 4, after: 0 },
      ],
      truncated: false,
    });
    should((await describeGroup(group, topic)).committed).eql({ 0: 0, 1: 0 });

    // A new consumer of the group reads everything again, from where the reset put it.
    const next = await runningConsumer(group, topic, 8);
    await next.consumer.disconnect();
    should(next.offsets.sort()).eql([0, 0, 1, 1, 2, 2, 3, 3]);
  });

  it('gives up on a broker that never answers after its time, with an error naming the action', async function () {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      await deployAdmin({}, `127.0.0.1:${port}`);
      const asked = Date.now();
      const error = await failure({ action: 'list-topics' });
      should(error).equal('list-topics failed: No answer from Kafka within 10000 ms (connect)');
      should(Date.now() - asked).be.aboveOrEqual(10000);
      should(sockets.size).be.above(0);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
