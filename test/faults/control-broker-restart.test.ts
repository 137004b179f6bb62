// Fault: a trigger paused or stopped by a control message stays so while the broker is killed and
// comes back; the records produced meanwhile arrive, each once, only after resume or start.
import { Kafka, logLevel } from 'kafkajs';
import should from 'should';
import { createTopic, startLocalKafka, type LocalKafka } from '../../scripts/kafka/local-kafka';
import type { KafkaTriggerMessage } from '../../src/nodes/types';
import { uniqueName } from '../support/kafka';
import { withFaultAdmin } from '../support/faults';
import { brokerNode, helperNode, tab, triggerNode } from '../support/flows';
import {
  collect,
  deploy,
  getNode,
  startNodeRed,
  statusCalls,
  stopNodeRed,
  waitForStatus,
} from '../support/node-red';
import { sleep, waitFor } from '../support/wait';

/** How long an absence (no record, no member) is watched for after the broker is back. */
const QUIET_MS = 4000;

async function produceNumbers(broker: LocalKafka, topic: string, from: number, count: number): Promise<void> {
  const producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      messages: Array.from({ length: count }, (_, n) => ({ value: String(from + n), partition: n % 3 })),
    });
  } finally {
    await producer.disconnect();
  }
}

async function groupMembers(broker: LocalKafka, groupId: string): Promise<number> {
  return withFaultAdmin(broker, async (admin) => {
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0]?.members.length ?? 0;
  });
}

describe('fault: control state across a broker restart', function () {
  this.timeout(240000);
  let broker: LocalKafka;

  before(async function () {
    this.timeout(300000);
    broker = await startLocalKafka();
  });
  after(async () => broker?.destroy());
  beforeEach(startNodeRed);
  afterEach(stopNodeRed);

  async function deployControlled(
    prefix: string,
  ): Promise<{ topic: string; group: string; values: () => number[] }> {
    const topic = uniqueName(prefix);
    const group = uniqueName(`${prefix}-group`);
    await createTopic(broker, topic, 3);
    await deploy([
      tab(),
      brokerNode('broker1', broker.bootstrap),
      {
        ...triggerNode('trigger1', {
          broker: 'broker1',
          topic,
          consumer_group: group,
          start_from: 'earliest',
          control: true,
          inputs: 1,
        }),
        wires: [['out']],
      },
      helperNode('out'),
    ]);
    const received = collect<KafkaTriggerMessage>('out');
    await waitForStatus('trigger1', 'connected', 60000);
    return { topic, group, values: () => received.map((msg) => Number(msg.payload.message)) };
  }

  /**
   * Kills the broker, starts it again, and waits until the trigger has shown a failure and then `key`
   * again (or, should kafkajs ride the restart out without failing, shows `key` 20 s after it).
   */
  async function restartBroker(key: string): Promise<void> {
    const before = statusCalls('trigger1').length;
    await broker.stop('SIGKILL');
    await broker.start();
    const backAt = Date.now();
    await waitFor(
      () => {
        const since = statusCalls('trigger1').slice(before);
        const wanted = `kafka-trigger.status.${key}`;
        const failed = since.some((call) => call.text !== wanted);
        return (failed || Date.now() - backAt > 20000) && statusCalls('trigger1').at(-1)?.text === wanted;
      },
      120000,
      `the trigger to report a failure and then ${key} again`,
    );
  }

  it('a paused trigger is paused again after the restart, and resume delivers what waited', async () => {
    const { topic, values } = await deployControlled('paused-restart');
    await produceNumbers(broker, topic, 0, 30);
    await waitFor(() => values().length === 30, 60000, 'the first 30 records');
    getNode('trigger1').receive({ action: 'pause' });
    await waitForStatus('trigger1', 'paused');
    await produceNumbers(broker, topic, 30, 30);
    await restartBroker('paused');
    await sleep(QUIET_MS);
    should(values()).have.length(30);
    getNode('trigger1').receive({ action: 'resume' });
    await waitFor(() => values().length >= 60, 60000, 'the 30 records produced while paused');
    should([...values()].sort((a, b) => a - b)).eql(Array.from({ length: 60 }, (_, n) => n));
  });

  it('a stopped trigger stays out of the group after the restart, and start delivers what waited', async () => {
    const { topic, group, values } = await deployControlled('stopped-restart');
    getNode('trigger1').receive({ action: 'stop' });
    await waitForStatus('trigger1', 'stopped');
    await waitFor(async () => (await groupMembers(broker, group)) === 0, 30000, 'the group to be empty');
    await broker.stop('SIGKILL');
    await broker.start();
    await produceNumbers(broker, topic, 0, 30);
    await sleep(QUIET_MS);
    should(await groupMembers(broker, group)).equal(0);
    should(values()).be.empty();
    should(statusCalls('trigger1').at(-1)?.text).equal('kafka-trigger.status.stopped');
    getNode('trigger1').receive({ action: 'start' });
    await waitFor(() => values().length >= 30, 60000, 'the 30 records produced while stopped');
    should([...values()].sort((a, b) => a - b)).eql(Array.from({ length: 30 }, (_, n) => n));
  });
});
