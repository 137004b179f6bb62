// A trigger on several topics: a comma-separated list, or /regex/ with topics created after deploy.
import should from 'should';
import { createTopic } from '../../scripts/kafka/local-kafka';
import type { MetricsSnapshot } from '../../src/consumer/consumer-metrics';
import type { KafkaTriggerMessage } from '../../src/nodes/types';
import { describeGroup, newTopic, produce, uniqueName } from '../support/kafka';
import { functionNode, helperNode } from '../support/flows';
import {
  collect,
  deployTrigger,
  helper,
  loggedBy,
  startNodeRed,
  stopNodeRed,
  waitForStatus,
} from '../support/node-red';
import { sharedBroker } from '../support/shared-broker';
import { waitFor } from '../support/wait';

const GROUP = 'operion-triggers-trigger1';

/** Each received record as `<topic>/<partition>:<value>`, sorted. */
function seen(received: KafkaTriggerMessage[]): string[] {
  return received
    .map((msg) => `${msg.payload.topic}/${msg.payload.partition}:${String(msg.payload.message)}`)
    .sort();
}

/** Waits until the group has committed `offsets` (partition → offset) on the topic. */
async function waitForCommitted(topic: string, offsets: Record<number, number>): Promise<void> {
  await waitFor(
    async () => {
      const { committed } = await describeGroup(GROUP, topic);
      return Object.entries(offsets).every(([partition, offset]) => committed[Number(partition)] === offset);
    },
    30000,
    `offsets ${JSON.stringify(offsets)} committed on ${topic}`,
  );
}

describe('kafka-trigger on several topics', function () {
  beforeEach(startNodeRed);
  afterEach(stopNodeRed);

  it('consumes every topic of a comma-separated list, each record naming its topic', async () => {
    const first = await newTopic('list-a', 2);
    const second = await newTopic('list-b');
    await produce(first, [
      { value: '1', partition: 0 },
      { value: '2', partition: 1 },
    ]);
    await produce(second, [{ value: '3' }]);
    const received = await deployTrigger(
      { topic: `${first}, ${second}`, start_from: 'earliest', metrics_interval: 1, outputs: 2 },
      { wires: [['out'], ['metrics']], nodes: [helperNode('metrics')], status: 'connected-topics' },
    );
    const metrics = collect<{ payload: MetricsSnapshot }>('metrics');
    await waitFor(() => received.length === 3, 30000, 'the records of both topics');
    await produce(second, [{ value: '4' }]);
    await waitFor(() => received.length === 4, 30000, 'a new record');
    should(seen(received)).eql([`${first}/0:1`, `${first}/1:2`, `${second}/0:3`, `${second}/0:4`]);
    for (const msg of received) should(msg.topic).equal(msg.payload.topic);
    await waitForCommitted(first, { 0: 1, 1: 1 });
    await waitForCommitted(second, { 0: 2 });
    const latest = await waitFor(
      () => metrics.find((msg) => msg.payload.records === 4),
      10000,
      'metrics with 4 records',
    );
    should(latest!.payload).containEql({
      topic: `${first}, ${second}`,
      topics: [first, second].sort(),
      lag: { [`${first}:0`]: 0, [`${first}:1`]: 0, [`${second}:0`]: 0 },
      lag_by_topic: { [first]: { 0: 0, 1: 0 }, [second]: { 0: 0 } },
      total_lag: 0,
    });
  });

  it('consumes a topic created after deploy that a /regex/ matches, within the refresh interval', async () => {
    const prefix = uniqueName('rx');
    const one = `${prefix}-one`;
    const two = `${prefix}-two`;
    await createTopic(sharedBroker(), one, 1);
    // Does not match: the pattern is anchored at the start.
    const other = await newTopic(`not-${prefix}`);
    const received = await deployTrigger(
      { topic: `/^${prefix}-/`, topic_refresh_interval: 2 },
      { status: 'connected-topics' },
    );
    await produce(one, [{ value: '"a"' }]);
    await produce(other, [{ value: '"never"' }]);
    await waitFor(() => received.length === 1, 30000, 'the record of the first topic');

    // Records written to the new topic before the trigger has noticed it are not missed.
    await createTopic(sharedBroker(), two, 2);
    await produce(two, [
      { value: '"b"', partition: 0 },
      { value: '"c"', partition: 1 },
    ]);
    await waitFor(() => received.length === 3, 20000, 'the records of the topic created after deploy');
    await produce(one, [{ value: '"d"' }]);
    await produce(two, [{ value: '"e"', partition: 0 }]);
    await waitFor(() => received.length === 5, 30000, 'records of both topics after the change');
    await waitForCommitted(one, { 0: 2 });
    await waitForCommitted(two, { 0: 2, 1: 1 });
    // Nothing twice, nothing from the topic that does not match.
    should(seen(received)).eql([`${one}/0:a`, `${one}/0:d`, `${two}/0:b`, `${two}/0:e`, `${two}/1:c`]);
    await waitForStatus('trigger1', 'connected-topics');
  });

  it('waits, saying so, while a /regex/ matches no topic, and starts once one exists', async () => {
    const prefix = uniqueName('rx-none');
    const received = await deployTrigger(
      { topic: `/^${prefix}$/`, topic_refresh_interval: 1 },
      { status: 'no-matching-topics' },
    );
    should(loggedBy('trigger1', 'warn').some((text) => text.includes('no-matching-topics'))).be.true();
    await createTopic(sharedBroker(), prefix, 1);
    await produce(prefix, [{ value: '"first"' }]);
    await waitFor(() => received.length === 1, 30000, 'the record of the topic created later');
    should(received[0].topic).equal(prefix);
    await waitForStatus('trigger1', 'connected-topics');
  });

  it('commits complete delivery per topic: a redeploy delivers nothing twice and loses nothing', async () => {
    const first = await newTopic('complete-a', 2);
    const second = await newTopic('complete-b', 2);
    const records = (topic: string) =>
      Array.from({ length: 10 }, (_, n) => ({ value: JSON.stringify(`${topic}-${n}`), partition: n % 2 }));
    await produce(first, records(first));
    await produce(second, records(second));
    const props = { topic: `${first},${second}`, delivery: 'complete', start_from: 'earliest' };
    const slow = () =>
      functionNode('slow', 'setTimeout(() => { node.send(msg); node.done(); }, 5); return null;', [['out']]);
    let received = await deployTrigger(props, {
      wires: [['slow']],
      nodes: [slow()],
      status: 'connected-topics',
    });
    await waitFor(() => received.length === 20, 30000, 'both backlogs');
    await waitForCommitted(first, { 0: 5, 1: 5 });
    await waitForCommitted(second, { 0: 5, 1: 5 });

    await helper.unload();
    received = await deployTrigger(props, { wires: [['slow']], nodes: [slow()], status: false });
    await produce(first, [{ value: '"after-a"', partition: 1 }]);
    await produce(second, [{ value: '"after-b"', partition: 0 }]);
    await waitForCommitted(first, { 0: 5, 1: 6 });
    await waitForCommitted(second, { 0: 6, 1: 5 });
    await waitFor(() => received.length === 2, 30000, 'the two new records');
    should(seen(received)).eql([`${first}/1:after-a`, `${second}/0:after-b`]);
  });
});
