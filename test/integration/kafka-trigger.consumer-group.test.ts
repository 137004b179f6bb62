import should from 'should';
import { describeGroup, newTopic, produce } from '../support/kafka';
import { brokerNode, helperNode, tab, triggerNode } from '../support/flows';
import {
  collect,
  deploy,
  deployTrigger,
  getNode,
  helper,
  startNodeRed,
  stopNodeRed,
  waitForStatus,
} from '../support/node-red';
import { waitFor } from '../support/wait';
import type { KafkaBrokerNode } from '../../src/nodes/types';
import { sharedBroker } from '../support/shared-broker';

function values(received: { payload: { message: unknown } }[]): unknown[] {
  return received.map((msg) => msg.payload.message);
}

/**
 * Waits until the group has committed `offset` on partition 0: every record before it has been
 * handed to the flow, so no other record can still arrive and the ones received can be checked.
 */
async function waitForCommitted(groupId: string, topic: string, offset: number): Promise<void> {
  await waitFor(
    async () => (await describeGroup(groupId, topic)).committed[0] === offset,
    30000,
    `offset ${offset} committed by ${groupId}`,
  );
}

describe('kafka-trigger consumer groups and offsets', function () {
  beforeEach(startNodeRed);
  afterEach(stopNodeRed);

  it('joins the generated group operion-triggers-<node id>', async () => {
    const topic = await newTopic('group-default');
    await deployTrigger({ topic });
    const group = await describeGroup('operion-triggers-trigger1', topic);
    should(group.state).equal('Stable');
    should(group.members).equal(1);
  });

  it('joins a custom group exactly as given', async () => {
    const topic = await newTopic('group-custom');
    await deployTrigger({ topic, consumer_group: `${topic}-processors` });
    should((await describeGroup(`${topic}-processors`, topic)).members).equal(1);
    should((await describeGroup('operion-triggers-trigger1', topic)).members).equal(0);
  });

  it('starts a new group at the newest record by default', async () => {
    const topic = await newTopic('newest');
    await produce(topic, [{ value: '"old-1"' }, { value: '"old-2"' }]);
    const received = await deployTrigger({ topic });
    await produce(topic, [{ value: '"new-1"' }]);
    await waitFor(() => received.length >= 1, 30000, 'the new record');
    await waitForCommitted('operion-triggers-trigger1', topic, 3);
    should(values(received)).eql(['new-1']);
  });

  it("commits a new group's newest start at once, so a restart before any record loses nothing", async () => {
    const topic = await newTopic('newest-kept');
    const group = `${topic}-group`;
    await produce(topic, [{ value: '"old-1"' }, { value: '"old-2"' }]);
    const first = await deployTrigger({ topic, consumer_group: group });
    // Connected: the start is fixed and committed, before any record arrived.
    await waitForCommitted(group, topic, 2);
    await stopNodeRed();
    // Produced while no trigger runs: after the group's start, so they are the group's to deliver
    // (kafkajs alone would look up "newest" again on the next start and skip them).
    await produce(topic, [{ value: '"between-1"' }, { value: '"between-2"' }]);
    await startNodeRed();
    const second = await deployTrigger({ topic, consumer_group: group });
    await produce(topic, [{ value: '"after"' }]);
    await waitForCommitted(group, topic, 5);
    should(first).be.empty();
    should(values(second)).eql(['between-1', 'between-2', 'after']);
  });

  it('starts a new group at the beginning with earliest', async () => {
    const topic = await newTopic('earliest');
    await produce(topic, [{ value: '"old-1"' }, { value: '"old-2"' }]);
    const received = await deployTrigger({ topic, start_from: 'earliest' });
    await produce(topic, [{ value: '"new-1"' }]);
    await waitFor(() => received.length >= 3, 30000, 'three records');
    await waitForCommitted('operion-triggers-trigger1', topic, 3);
    should(values(received)).eql(['old-1', 'old-2', 'new-1']);
  });

  it('commits and leaves the group on close, without waiting for the session timeout', async () => {
    const topic = await newTopic('close');
    const received = await deployTrigger({ topic, session_timeout: 30000 });
    await produce(topic, [{ value: '1' }, { value: '2' }]);
    await waitFor(() => received.length === 2);
    const closing = Date.now();
    await stopNodeRed();
    const closeMs = Date.now() - closing;
    const group = await describeGroup('operion-triggers-trigger1', topic);
    should(group.members).equal(0);
    should(group.committed[0]).equal(2);
    should(closeMs).be.below(15000);
    await startNodeRed();
  });

  it('resumes after a restart from the committed offset: nothing lost, nothing twice', async () => {
    const topic = await newTopic('restart');
    const group = `${topic}-group`;
    let received = await deployTrigger({ topic, consumer_group: group });
    await produce(topic, [{ value: '1' }, { value: '2' }, { value: '3' }]);
    await waitFor(() => received.length === 3);
    const firstRun = values(received);

    await stopNodeRed();
    await produce(topic, [{ value: '4' }, { value: '5' }]);
    await startNodeRed();
    received = await deployTrigger({ topic, consumer_group: group });
    await produce(topic, [{ value: '6' }]);
    await waitFor(() => received.length >= 3, 30000, 'records 4 to 6');
    await waitForCommitted(group, topic, 6);
    should(firstRun).eql([1, 2, 3]);
    should(values(received)).eql([4, 5, 6]);
  });

  it('shares one client between triggers on one broker node; removing one leaves the other consuming', async () => {
    const topic = await newTopic('shared');
    const flow = [
      tab(),
      brokerNode('broker1', sharedBroker().bootstrap),
      triggerNode('triggerA', { broker: 'broker1', topic, consumer_group: `${topic}-a` }, ['outA']),
      triggerNode('triggerB', { broker: 'broker1', topic, consumer_group: `${topic}-b` }, ['outB']),
      helperNode('outA'),
      helperNode('outB'),
    ];
    await deploy(flow);
    const receivedA = collect('outA');
    const receivedB = collect('outB');
    await waitForStatus('triggerA', 'connected');
    await waitForStatus('triggerB', 'connected');
    const broker = getNode<KafkaBrokerNode>('broker1');
    should(broker.userCount).equal(2);
    await produce(topic, [{ value: '"both"' }]);
    await waitFor(() => receivedA.length === 1 && receivedB.length === 1);

    await helper.setFlows(
      flow.filter((n) => n.id !== 'triggerB' && n.id !== 'outB'),
      'nodes',
    );
    await waitFor(() => broker.userCount === 1, 15000, 'trigger B to release the client');
    await produce(topic, [{ value: '"only-a"' }]);
    await waitFor(() => receivedA.length === 2, 30000, 'A to keep consuming');
    should(values(receivedA)).eql(['both', 'only-a']);
    should((await describeGroup(`${topic}-b`, topic)).members).equal(0);
  });
});
