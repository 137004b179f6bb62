// Control messages and replay against the real broker: pause/resume, stop/start, seek (earliest,
// latest, a time, a partition and offset), start_from timestamp, two members of one group, control
// messages sent while the trigger is still connecting, and bad control messages. Every control msg
// must end in done() (a Complete node sees it) or done(error) (a Catch node sees it).
import should from 'should';
import { AssignerProtocol } from 'kafkajs';
import type { NodeMessage } from 'node-red';
import type { MetricsSnapshot } from '../../src/consumer/consumer-metrics';
import type { KafkaTriggerMessage } from '../../src/nodes/types';
import { describeGroup, newTopic, produce, recordsOnEachPartition, testKafka } from '../support/kafka';
import { brokerNode, catchWatcher, helperNode, tab, triggerNode, TAB, type FlowNode } from '../support/flows';
import {
  collect,
  deploy,
  getNode,
  lastStatusText,
  startNodeRed,
  stopNodeRed,
  waitForStatus,
  type NodeModule,
  testNodeType,
} from '../support/node-red';
import { sharedBroker } from '../support/shared-broker';
import { waitFor } from '../support/wait';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const completeNode = require('@node-red/nodes/core/common/24-complete.js') as NodeModule;

type Received = KafkaTriggerMessage[];
interface Ended {
  tag: string;
  error?: { message: string };
}

const PARTITIONS = 3;

/** `count` records per partition, values `<prefix>-<partition>-<n>`. */
function records(prefix: string, count: number): { value: string; partition: number }[] {
  return recordsOnEachPartition(prefix, count, PARTITIONS);
}

function valuesOf(received: Received): string[] {
  return received.map((msg) => String(msg.payload.message)).sort();
}

/**
 * Deploys controlled triggers (one per id, same props) with a metrics output, a Complete and a
 * Catch node on them; returns what each trigger sends and how the control msgs ended. Waits for
 * each trigger to be connected unless `connected` is false (returns as soon as the flow started).
 */
async function deployControlled(
  props: Record<string, unknown>,
  ids: string[] = ['trigger1'],
  extra: { nodes?: FlowNode[]; testNodes?: NodeModule[]; connected?: boolean } = {},
): Promise<{
  received: Record<string, Received>;
  metrics: Record<string, { payload: MetricsSnapshot }[]>;
  ended: Ended[];
}> {
  const nodes: FlowNode[] = [tab(), brokerNode('broker1', sharedBroker().bootstrap)];
  for (const id of ids) {
    nodes.push(
      {
        ...triggerNode(id, {
          broker: 'broker1',
          control: true,
          metrics_interval: 1,
          outputs: 2,
          inputs: 1,
          ...props,
        }),
        wires: [[`${id}-out`, ...(extra.nodes ?? []).map((node) => node.id)], [`${id}-metrics`]],
      },
      helperNode(`${id}-out`),
      helperNode(`${id}-metrics`),
    );
  }
  nodes.push(
    { id: 'complete1', type: 'complete', z: TAB, scope: ids, uncaught: false, wires: [['completed']] },
    helperNode('completed'),
    ...catchWatcher('catch1', ids, 'caught'),
    ...(extra.nodes ?? []),
  );
  await deploy(nodes, {}, [completeNode, ...(extra.testNodes ?? [])]);
  const received: Record<string, Received> = {};
  const metrics: Record<string, { payload: MetricsSnapshot }[]> = {};
  for (const id of ids) {
    received[id] = collect(`${id}-out`);
    metrics[id] = collect<{ payload: MetricsSnapshot } & NodeMessage>(`${id}-metrics`);
  }
  const ended: Ended[] = [];
  for (const id of ['completed', 'caught'])
    getNode(id).on('input', (msg: NodeMessage) => {
      const { tag, error } = msg as NodeMessage & Ended;
      ended.push({ tag, error });
    });
  if (extra.connected ?? true) for (const id of ids) await waitForStatus(id, 'connected');
  return { received, metrics, ended };
}

let tags = 0;

/** Sends a control msg to the trigger; returns its tag, to wait for its end with ending(). */
function send(id: string, msg: Record<string, unknown>): string {
  const tag = `control-${(tags += 1)}`;
  getNode(id).receive({ ...msg, tag });
  return tag;
}

async function ending(ended: Ended[], tag: string): Promise<string | undefined> {
  const end = await waitFor(() => ended.find((entry) => entry.tag === tag), 30000, `done() for ${tag}`);
  return end!.error?.message.replace(/^Error: /, '');
}

/** A test node that holds each msg (done() not called) until the test releases them. */
function gateNodeType(held: { msg: KafkaTriggerMessage; done: () => void }[]) {
  return testNodeType<KafkaTriggerMessage>('gate-test', (msg, _send, done) => void held.push({ msg, done }));
}

/** Sends a control msg to the trigger and waits for its done(): undefined, or the error's message (as a Catch node shows it). */
async function control(
  ended: Ended[],
  id: string,
  msg: Record<string, unknown>,
): Promise<string | undefined> {
  const tag = `control-${(tags += 1)}`;
  getNode(id).receive({ ...msg, tag });
  const end = await waitFor(() => ended.find((entry) => entry.tag === tag), 30000, `done() for ${tag}`);
  return end!.error?.message.replace(/^Error: /, '');
}

/** The group's committed offsets, once every partition is committed at `ends`: nothing more can arrive. */
async function waitForCommittedAt(
  groupId: string,
  topic: string,
  ends: Record<number, number>,
): Promise<void> {
  await waitFor(
    async () => {
      const { committed } = await describeGroup(groupId, topic);
      return Object.entries(ends).every(([partition, offset]) => committed[Number(partition)] === offset);
    },
    30000,
    `offsets ${JSON.stringify(ends)} committed by ${groupId}`,
  );
}

async function memberIds(groupId: string): Promise<string[]> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    return (groups[0]?.members ?? []).map((member) => member.memberId).sort();
  } finally {
    await admin.disconnect();
  }
}

/** Waits for `count` more metrics messages after now; returns them. */
async function nextMetrics(
  metrics: { payload: MetricsSnapshot }[],
  count: number,
): Promise<MetricsSnapshot[]> {
  const from = metrics.length;
  await waitFor(() => metrics.length >= from + count, 30000, `${count} metrics messages`);
  return metrics.slice(from).map((msg) => msg.payload);
}

/** A time after every record produced so far: the client's clock sets the records' timestamps. */
async function timeAfterNow(): Promise<string> {
  const stamp = Date.now() + 1;
  await waitFor(() => Date.now() > stamp + 1, 1000, 'the clock to move on');
  return new Date(stamp).toISOString();
}

const ALL_AT = (offset: number): Record<number, number> => ({ 0: offset, 1: offset, 2: offset });

describe('kafka-trigger control messages and replay', function () {
  beforeEach(startNodeRed);
  afterEach(stopNodeRed);

  it('pauses without leaving the group, then resumes with nothing lost', async () => {
    const topic = await newTopic('control-pause', PARTITIONS);
    const group = `${topic}-group`;
    const { received, metrics, ended } = await deployControlled({ topic, consumer_group: group });
    const out = received.trigger1;
    await produce(topic, records('before', 3));
    await waitFor(() => out.length === 9, 30000, 'the records before the pause');
    const members = await memberIds(group);
    should(members).have.length(1);
    const rebalances = (await nextMetrics(metrics.trigger1, 1))[0].rebalances;

    should(await control(ended, 'trigger1', { action: 'pause' })).be.undefined();
    should(lastStatusText('trigger1')).equal('kafka-trigger.status.paused');
    await produce(topic, records('paused', 3));
    // Three metrics ticks (seconds, several fetch cycles) with the records waiting and none delivered.
    const whilePaused = await nextMetrics(metrics.trigger1, 3);
    should(whilePaused.map((snapshot) => snapshot.state)).eql(['paused', 'paused', 'paused']);
    should(out.length).equal(9);
    should(await memberIds(group)).eql(members);
    should((await describeGroup(group, topic)).state).equal('Stable');

    should(await control(ended, 'trigger1', { action: 'resume' })).be.undefined();
    await waitFor(() => out.length === 18, 30000, 'the records produced while paused');
    await waitForCommittedAt(group, topic, ALL_AT(6));
    should(valuesOf(out)).eql(
      [...records('before', 3), ...records('paused', 3)].map((r) => JSON.parse(r.value) as string).sort(),
    );
    const after = (await nextMetrics(metrics.trigger1, 1))[0];
    should(after.state).equal('consuming');
    // No rebalance: the same member the whole time, and the trigger counted none.
    should(after.rebalances).equal(rebalances);
    should(await memberIds(group)).eql(members);
  });

  it('stops (leaves the group) and starts again, delivering what was produced meanwhile', async () => {
    const topic = await newTopic('control-stop', PARTITIONS);
    const group = `${topic}-group`;
    const { received, metrics, ended } = await deployControlled({ topic, consumer_group: group });
    const out = received.trigger1;
    await produce(topic, records('before', 2));
    await waitFor(() => out.length === 6, 30000, 'the records before the stop');

    should(await control(ended, 'trigger1', { action: 'stop' })).be.undefined();
    should(lastStatusText('trigger1')).equal('kafka-trigger.status.stopped');
    await waitForCommittedAt(group, topic, ALL_AT(2));
    await waitFor(async () => (await describeGroup(group, topic)).members === 0, 30000, 'no members');
    await produce(topic, records('stopped', 2));
    const whileStopped = await nextMetrics(metrics.trigger1, 2);
    should(whileStopped.map((snapshot) => snapshot.state)).eql(['stopped', 'stopped']);
    should(out.length).equal(6);
    should((await describeGroup(group, topic)).members).equal(0);

    should(await control(ended, 'trigger1', { action: 'start' })).be.undefined();
    await waitForStatus('trigger1', 'connected');
    await waitFor(() => out.length === 12, 30000, 'the records produced while stopped');
    await waitForCommittedAt(group, topic, ALL_AT(4));
    should(valuesOf(out)).eql(
      [...records('before', 2), ...records('stopped', 2)].map((r) => JSON.parse(r.value) as string).sort(),
    );
    should((await describeGroup(group, topic)).members).equal(1);
    should((await nextMetrics(metrics.trigger1, 1))[0].state).equal('consuming');
  });

  it('seeks to earliest, latest, a time and a partition and offset; exactly those records follow', async () => {
    const topic = await newTopic('control-seek', PARTITIONS);
    const group = `${topic}-group`;
    await produce(topic, records('a', 2));
    const { received, ended } = await deployControlled({
      topic,
      consumer_group: group,
      start_from: 'earliest',
    });
    const out = received.trigger1;
    await waitFor(() => out.length === 6, 30000, 'the backlog');
    await waitForCommittedAt(group, topic, ALL_AT(2));
    const expectA = records('a', 2).map((r) => JSON.parse(r.value) as string);

    // earliest: the whole topic again.
    let from = out.length;
    should(await control(ended, 'trigger1', { action: 'seek', payload: { to: 'earliest' } })).be.undefined();
    await waitFor(() => out.length === from + 6, 30000, 'the topic again');
    await waitForCommittedAt(group, topic, ALL_AT(2));
    should(valuesOf(out.slice(from))).eql(expectA.sort());

    // latest: nothing old, only what comes next. Paused meanwhile, so that the seek happens before the produce.
    const time = await timeAfterNow();
    await produce(topic, records('b', 1));
    await waitFor(() => out.length === from + 9, 30000, 'the b records');
    await waitForCommittedAt(group, topic, ALL_AT(3));
    should(await control(ended, 'trigger1', { action: 'pause' })).be.undefined();
    from = out.length;
    should(await control(ended, 'trigger1', { action: 'seek', payload: { to: 'latest' } })).be.undefined();
    should(lastStatusText('trigger1')).equal('kafka-trigger.status.paused');
    await produce(topic, records('c', 1));
    should(await control(ended, 'trigger1', { action: 'resume' })).be.undefined();
    await waitFor(() => out.length === from + 3, 30000, 'the c records');
    await waitForCommittedAt(group, topic, ALL_AT(4));
    should(valuesOf(out.slice(from))).eql(
      ['"c-0-0"', '"c-1-0"', '"c-2-0"'].map((v) => JSON.parse(v) as string),
    );

    // a time: the first records at or after it (b, then c), on every partition.
    from = out.length;
    should(await control(ended, 'trigger1', { action: 'seek', payload: { timestamp: time } })).be.undefined();
    await waitFor(() => out.length === from + 6, 30000, 'the records since the time');
    await waitForCommittedAt(group, topic, ALL_AT(4));
    should(valuesOf(out.slice(from))).eql(['b-0-0', 'b-1-0', 'b-2-0', 'c-0-0', 'c-1-0', 'c-2-0']);

    // one partition and offset: only that partition moves.
    from = out.length;
    should(
      await control(ended, 'trigger1', { action: 'seek', payload: { partition: 1, offset: 1 } }),
    ).be.undefined();
    await waitFor(() => out.length === from + 3, 30000, 'partition 1 from offset 1');
    await waitForCommittedAt(group, topic, ALL_AT(4));
    should(out.slice(from).map((msg) => [msg.payload.partition, msg.payload.offset])).eql([
      [1, 1],
      [1, 2],
      [1, 3],
    ]);
    // A time past the end is the end: nothing comes until something is produced.
    should(
      await control(ended, 'trigger1', { action: 'seek', payload: { timestamp: '2999-01-01T00:00:00Z' } }),
    ).be.undefined();
    from = out.length;
    await produce(topic, [{ value: '"d"', partition: 2 }]);
    await waitFor(() => out.length === from + 1, 30000, 'the d record');
    await waitForCommittedAt(group, topic, { 0: 4, 1: 4, 2: 5 });
    should(valuesOf(out.slice(from))).eql(['d']);
  });

  it('starts a new group at a timestamp (and at the end for a time past it)', async () => {
    const topic = await newTopic('control-start-at', PARTITIONS);
    await produce(topic, records('old', 2));
    const time = await timeAfterNow();
    await produce(topic, records('new', 1));
    const { received } = await deployControlled({
      topic,
      consumer_group: `${topic}-g1`,
      start_from: 'timestamp',
      start_timestamp: time,
    });
    await waitFor(() => received.trigger1.length === 3, 30000, 'the records since the time');
    await waitForCommittedAt(`${topic}-g1`, topic, ALL_AT(3));
    should(valuesOf(received.trigger1)).eql(['new-0-0', 'new-1-0', 'new-2-0']);
  });

  it('starts at the end when start_timestamp is past it, and resumes from committed offsets after that', async () => {
    const topic = await newTopic('control-start-future', PARTITIONS);
    await produce(topic, records('old', 1));
    const group = `${topic}-g2`;
    const { received } = await deployControlled({
      topic,
      consumer_group: group,
      start_from: 'timestamp',
      start_timestamp: '2999-01-01T00:00:00Z',
    });
    await produce(topic, records('next', 1));
    await waitFor(() => received.trigger1.length === 3, 30000, 'the records after the start');
    await waitForCommittedAt(group, topic, ALL_AT(2));
    should(valuesOf(received.trigger1)).eql(['next-0-0', 'next-1-0', 'next-2-0']);
  });

  it('with two members in one group, a seek moves only the partitions of the member it is sent to', async () => {
    const topic = await newTopic('control-members', PARTITIONS);
    const group = `${topic}-group`;
    const { received, metrics, ended } = await deployControlled(
      { topic, consumer_group: group, start_from: 'earliest' },
      ['trigger1', 'trigger2'],
    );
    await waitFor(
      async () => {
        const { state, members } = await describeGroup(group, topic);
        return state === 'Stable' && members === 2;
      },
      30000,
      'two members, the group stable',
    );
    // Produced once the partitions are split: each member fetches its own, so its metrics list them
    // (a member knows a partition's lag only from a batch fetched since it was assigned).
    await produce(topic, records('a', 2));
    await waitFor(() => received.trigger1.length + received.trigger2.length >= 6, 30000, 'the records');
    await waitForCommittedAt(group, topic, ALL_AT(2));
    // Which partitions each member owns, from its metrics (lag per owned partition).
    const owned = async (id: string): Promise<number[]> =>
      Object.keys((await nextMetrics(metrics[id], 1))[0].lag).map(Number);
    const [one, two] = [await owned('trigger1'), await owned('trigger2')];
    should([...one, ...two].sort()).eql([0, 1, 2]);
    should(one.length).be.above(0);
    should(two.length).be.above(0);

    const from1 = received.trigger1.length;
    const from2 = received.trigger2.length;
    should(await control(ended, 'trigger1', { action: 'seek', payload: { to: 'earliest' } })).be.undefined();
    await waitFor(
      () => received.trigger1.length === from1 + one.length * 2,
      30000,
      "trigger1's partitions again",
    );
    await waitForCommittedAt(group, topic, ALL_AT(2));
    const again = received.trigger1.slice(from1);
    should([...new Set(again.map((msg) => msg.payload.partition))].sort()).eql(one.sort());
    should(received.trigger2.length).equal(from2);

    // A partition of the other member is refused, and changes nothing.
    const error = await control(ended, 'trigger1', {
      action: 'seek',
      payload: { partition: two[0], offset: 0 },
    });
    should(error).equal('kafka-trigger.errors.seek-not-owned');
    await produce(topic, records('b', 1));
    await waitFor(
      () => received.trigger1.length + received.trigger2.length === from1 + one.length * 2 + from2 + 3,
      30000,
      'the b records on both members',
    );
    await waitForCommittedAt(group, topic, ALL_AT(3));
    should(received.trigger2.length).equal(from2 + two.length);
  });

  it('answers bad control messages with a clear error through done(error) and carries on as before', async () => {
    const topic = await newTopic('control-bad', PARTITIONS);
    const group = `${topic}-group`;
    const { received, ended } = await deployControlled({ topic, consumer_group: group });
    const bad: [Record<string, unknown>, string][] = [
      [{}, 'control-missing-action'],
      [{ action: 'rewind' }, 'control-unknown-action'],
      [{ action: 'seek' }, 'seek-invalid-target'],
      [{ action: 'seek', payload: { to: 'start' } }, 'seek-invalid-to'],
      [{ action: 'seek', payload: { timestamp: 'yesterday' } }, 'seek-invalid-timestamp'],
      [{ action: 'seek', payload: { timestamp: '2024-02-30T00:00:00Z' } }, 'seek-invalid-timestamp'],
      [{ action: 'seek', payload: { partition: 0, offset: -1 } }, 'seek-invalid-offset'],
      [{ action: 'seek', payload: { partition: 7, offset: 0 } }, 'seek-not-owned'],
      [{ action: 'seek', payload: { partition: 0, offset: 99 } }, 'seek-offset-out-of-range'],
    ];
    for (const [msg, key] of bad)
      should(await control(ended, 'trigger1', msg)).equal(`kafka-trigger.errors.${key}`);
    should(lastStatusText('trigger1')).equal('kafka-trigger.status.connected');
    await produce(topic, records('after', 1));
    await waitFor(() => received.trigger1.length === 3, 30000, 'records after the bad messages');
    should(valuesOf(received.trigger1)).eql(['after-0-0', 'after-1-0', 'after-2-0']);

    // A seek needs partitions: a stopped trigger refuses it, and start brings it back.
    should(await control(ended, 'trigger1', { action: 'stop' })).be.undefined();
    should(await control(ended, 'trigger1', { action: 'seek', payload: { to: 'earliest' } })).equal(
      'kafka-trigger.errors.seek-stopped',
    );
    should(await control(ended, 'trigger1', { action: 'start' })).be.undefined();
    await waitForStatus('trigger1', 'connected');
  });

  describe('sent while the trigger is still connecting', () => {
    /**
     * Deploys one controlled trigger reading `topic` from the earliest record, and returns at once,
     * having checked that it has not connected yet: what is sent next reaches a connecting trigger.
     */
    async function deployConnecting(topic: string, group: string): ReturnType<typeof deployControlled> {
      const deployed = await deployControlled(
        { topic, consumer_group: group, start_from: 'earliest' },
        ['trigger1'],
        { connected: false },
      );
      should(lastStatusText('trigger1')).equal('kafka-trigger.status.connecting');
      return deployed;
    }

    /** The partitions each member of the group owns, once the group is stable (empty before). */
    async function assignments(group: string, topic: string): Promise<number[][]> {
      const admin = testKafka().admin();
      await admin.connect();
      try {
        const [description] = (await admin.describeGroups([group])).groups;
        if (description?.state !== 'Stable') return [];
        return description.members.map((member) =>
          [
            ...(AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment[topic] ?? []),
          ].sort(),
        );
      } finally {
        await admin.disconnect();
      }
    }

    it('a pause is kept: the trigger joins paused, delivers nothing, and resume delivers each record once', async () => {
      const topic = await newTopic('control-early-pause', PARTITIONS);
      const group = `${topic}-group`;
      await produce(topic, records('backlog', 2));
      const { received, metrics, ended } = await deployConnecting(topic, group);
      const out = received.trigger1;
      should(await control(ended, 'trigger1', { action: 'pause' })).be.undefined();

      // In the group, owning every partition, and paused: the backlog stays in Kafka.
      await waitFor(
        async () => JSON.stringify(await assignments(group, topic)) === '[[0,1,2]]',
        30000,
        'the trigger in the group with every partition',
      );
      await waitForStatus('trigger1', 'paused');
      await produce(topic, records('paused', 1));
      const whilePaused = await nextMetrics(metrics.trigger1, 2);
      should(whilePaused.map((snapshot) => snapshot.state)).eql(['paused', 'paused']);
      should(out.length).equal(0);
      should(lastStatusText('trigger1')).equal('kafka-trigger.status.paused');
      should((await describeGroup(group, topic)).committed).eql(ALL_AT(-1));

      should(await control(ended, 'trigger1', { action: 'resume' })).be.undefined();
      await waitFor(() => out.length >= 9, 30000, 'the backlog and the records produced while paused');
      await waitForCommittedAt(group, topic, ALL_AT(3));
      should(valuesOf(out)).eql(
        [...records('backlog', 2), ...records('paused', 1)].map((r) => JSON.parse(r.value) as string).sort(),
      );
      should((await nextMetrics(metrics.trigger1, 1))[0].state).equal('consuming');
      await waitForStatus('trigger1', 'connected');
    });

    it('a stop is kept: the trigger stays out of the group until start, then consumes', async () => {
      const topic = await newTopic('control-early-stop', PARTITIONS);
      const group = `${topic}-group`;
      await produce(topic, records('backlog', 2));
      const { received, metrics, ended } = await deployConnecting(topic, group);
      const out = received.trigger1;
      should(await control(ended, 'trigger1', { action: 'stop' })).be.undefined();
      await waitForStatus('trigger1', 'stopped');
      await waitFor(async () => (await describeGroup(group, topic)).members === 0, 30000, 'no members');

      // Two metrics ticks (several fetch cycles, had it joined) out of the group, the backlog untouched.
      const whileStopped = await nextMetrics(metrics.trigger1, 2);
      should(whileStopped.map((snapshot) => snapshot.state)).eql(['stopped', 'stopped']);
      should(out.length).equal(0);
      should(lastStatusText('trigger1')).equal('kafka-trigger.status.stopped');
      const view = await describeGroup(group, topic);
      should(view.members).equal(0);
      should(view.committed).eql(ALL_AT(-1));

      should(await control(ended, 'trigger1', { action: 'start' })).be.undefined();
      await waitForStatus('trigger1', 'connected');
      await waitFor(() => out.length >= 6, 30000, 'the backlog');
      await waitForCommittedAt(group, topic, ALL_AT(2));
      should(valuesOf(out)).eql(
        records('backlog', 2)
          .map((r) => JSON.parse(r.value) as string)
          .sort(),
      );
      should((await describeGroup(group, topic)).members).equal(1);
      should((await nextMetrics(metrics.trigger1, 1))[0].state).equal('consuming');
    });

    it('a seek fails with "no partitions", changes nothing, and the trigger connects and consumes', async () => {
      const topic = await newTopic('control-early-seek', PARTITIONS);
      const group = `${topic}-group`;
      await produce(topic, records('backlog', 2));
      const { received, ended } = await deployConnecting(topic, group);
      const out = received.trigger1;
      should(await control(ended, 'trigger1', { action: 'seek', payload: { to: 'latest' } })).equal(
        'kafka-trigger.errors.seek-no-partitions',
      );

      // Not moved to latest: the whole backlog comes, once.
      await waitForStatus('trigger1', 'connected');
      await waitFor(() => out.length >= 6, 30000, 'the backlog');
      await waitForCommittedAt(group, topic, ALL_AT(2));
      should(valuesOf(out)).eql(
        records('backlog', 2)
          .map((r) => JSON.parse(r.value) as string)
          .sort(),
      );

      // Connected, the same seek is applied.
      should(
        await control(ended, 'trigger1', { action: 'seek', payload: { to: 'earliest' } }),
      ).be.undefined();
      await waitFor(() => out.length >= 12, 30000, 'the backlog again');
      await waitForCommittedAt(group, topic, ALL_AT(2));
      should(valuesOf(out.slice(6))).eql(
        records('backlog', 2)
          .map((r) => JSON.parse(r.value) as string)
          .sort(),
      );
    });
  });

  it('in complete delivery, a seek waits for the records in the flow, commits only finished ones, then moves', async () => {
    const topic = await newTopic('control-seek-complete', PARTITIONS);
    const group = `${topic}-group`;
    await produce(topic, records('a', 1));
    const held: { msg: KafkaTriggerMessage; done: () => void }[] = [];
    const release = (): void => {
      for (const { done } of held.splice(0)) done();
    };
    const { metrics, ended } = await deployControlled(
      { topic, consumer_group: group, start_from: 'earliest', delivery: 'complete', max_in_flight: 10 },
      ['trigger1'],
      { nodes: [{ id: 'gate1', type: 'gate-test', z: TAB, wires: [] }], testNodes: [gateNodeType(held)] },
    );
    await waitFor(() => held.length === 3, 30000, 'three records in the flow');
    const valuesHeld = (): string[] => held.map(({ msg }) => String(msg.payload.message)).sort();
    should(valuesHeld()).eql(['a-0-0', 'a-1-0', 'a-2-0']);

    // seek latest: it waits while the three are in the flow (two metrics ticks), nothing is committed meanwhile.
    let tag = send('trigger1', { action: 'seek', payload: { to: 'latest' } });
    const waiting = await nextMetrics(metrics.trigger1, 2);
    should(waiting.map((snapshot) => snapshot.in_flight)).eql([3, 3]);
    should(ended.find((entry) => entry.tag === tag)).be.undefined();
    should((await describeGroup(group, topic)).committed).eql(ALL_AT(-1));
    release();
    should(await ending(ended, tag)).be.undefined();
    await waitForCommittedAt(group, topic, ALL_AT(1));

    // seek earliest while b is in the flow: b stays uncommitted until finished, then a and b come again.
    await produce(topic, records('b', 1));
    await waitFor(() => held.length === 3, 30000, 'the b records in the flow');
    should(valuesHeld()).eql(['b-0-0', 'b-1-0', 'b-2-0']);
    tag = send('trigger1', { action: 'seek', payload: { to: 'earliest' } });
    await nextMetrics(metrics.trigger1, 2);
    should(ended.find((entry) => entry.tag === tag)).be.undefined();
    should((await describeGroup(group, topic)).committed).eql(ALL_AT(1));
    release();
    should(await ending(ended, tag)).be.undefined();
    await waitFor(() => held.length === 6, 30000, 'a and b again');
    should(valuesHeld()).eql(['a-0-0', 'a-1-0', 'a-2-0', 'b-0-0', 'b-1-0', 'b-2-0']);
    // Until they are finished, the seek's own position (0) is what is committed.
    should((await describeGroup(group, topic)).committed).eql(ALL_AT(0));
    release();
    await waitForCommittedAt(group, topic, ALL_AT(2));
  });
});
