// "Lossless by default": a trigger added from the palette (the current settings version, no delivery)
// delivers after the flow completes, while a flow written before (no version or version 1, no
// delivery) keeps hand-off through the settings migration. Shown in a real Node-RED on the real
// broker by what the trigger reports (the metrics output's `delivery` and `in_flight`) and by what it
// commits while the node after it still holds the record.
import should from 'should';
import type { MetricsSnapshot } from '../../src/consumer/consumer-metrics';
import { describeGroup, newTopic, produce, uniqueName } from '../support/kafka';
import { brokerNode, helperNode, tab, TAB, triggerNode, type FlowNode } from '../support/flows';
import {
  collect,
  deploy,
  rawStatusCalls,
  startNodeRed,
  stopNodeRed,
  waitForStatus,
  type NodeModule,
  testNodeType,
} from '../support/node-red';
import { sharedBroker } from '../support/shared-broker';
import { waitFor } from '../support/wait';

/** A test node that keeps every msg unfinished until release() calls its done(). */
function holdingNodeType(held: (() => void)[]): NodeModule {
  return testNodeType('hold-test', (_msg, _send, done) => void held.push(done));
}

interface Deployed {
  topic: string;
  group: string;
  held: (() => void)[];
  metrics: { payload: MetricsSnapshot }[];
}

/**
 * Produces one record, then deploys a trigger reading it from the start into a holding node, with
 * metrics every second; `written` shapes the trigger as its flow file holds it.
 */
async function deployHolding(written: (trigger: FlowNode) => FlowNode): Promise<Deployed> {
  const topic = await newTopic('delivery-default');
  const group = uniqueName('delivery-default-group');
  await produce(topic, [{ value: '{"n":0}' }]);
  const held: (() => void)[] = [];
  const trigger = triggerNode(
    'trigger1',
    {
      broker: 'broker1',
      topic,
      consumer_group: group,
      start_from: 'earliest',
      metrics_interval: 1,
      outputs: 2,
    },
    [],
  );
  await deploy(
    [
      tab(),
      brokerNode('broker1', sharedBroker().bootstrap),
      { ...written(trigger), wires: [['hold'], ['metrics']] },
      { id: 'hold', type: 'hold-test', z: TAB, wires: [] },
      helperNode('metrics'),
    ],
    {},
    [holdingNodeType(held)],
  );
  const metrics = collect<{ payload: MetricsSnapshot }>('metrics');
  await waitForStatus('trigger1', 'connected');
  await waitFor(() => held.length === 1, 30000, 'the record held by the node after the trigger');
  return { topic, group, held, metrics };
}

/** The trigger as a flow file written before complete became the default holds it: no delivery. */
function withoutDelivery(version: number | undefined) {
  return (trigger: FlowNode): FlowNode => {
    const { delivery: _delivery, version: _version, ...rest } = trigger;
    return version === undefined ? rest : { ...rest, version };
  };
}

const committedOffset = async (group: string, topic: string): Promise<number | undefined> =>
  (await describeGroup(group, topic)).committed[0];

describe('kafka-trigger default delivery and its migration', function () {
  beforeEach(startNodeRed);
  afterEach(stopNodeRed);

  for (const [title, version] of [
    ['exported before versions', undefined],
    ['at version 1', 1],
  ] as const) {
    it(`keeps hand-off for a trigger without delivery ${title}: committed while the next node holds it`, async () => {
      const { topic, group, held, metrics } = await deployHolding(withoutDelivery(version));
      const report = await waitFor(() => metrics.at(-1)?.payload, 10000, 'a metrics msg');
      should(report).containEql({ delivery: 'handoff', in_flight: 0 });
      // The badge says so too: the mode that can drop a msg between later nodes is no longer the default.
      should(rawStatusCalls('trigger1').at(-1)?.text).match(
        /^kafka-trigger\.status\.connected(-lag)?-handoff/,
      );
      // Hand-off: handing the record to the holding node is enough to commit it.
      await waitFor(async () => (await committedOffset(group, topic)) === 1, 30000, 'offset 1 committed');
      held.forEach((done) => done());
    });
  }

  it('delivers after the flow completes for a current trigger without delivery: not committed while held', async () => {
    const { topic, group, held, metrics } = await deployHolding((trigger) => {
      const { delivery: _delivery, ...rest } = trigger;
      return rest;
    });
    should(metrics.every((msg) => msg.payload.delivery === 'complete')).be.true();
    should(rawStatusCalls('trigger1').some((call) => call.text?.includes('handoff'))).be.false();
    // Two metrics msgs after the record was held: the trigger counts it in flight, and has not committed it.
    const seen = metrics.length;
    await waitFor(() => metrics.length >= seen + 2, 10000, 'two more metrics msgs');
    should(metrics.at(-1)!.payload).containEql({ delivery: 'complete', in_flight: 1 });
    should(await committedOffset(group, topic)).not.equal(1);
    held.forEach((done) => done());
    await waitFor(
      async () => (await committedOffset(group, topic)) === 1,
      30000,
      'offset 1 committed once done',
    );
    await waitFor(() => metrics.at(-1)!.payload.in_flight === 0, 10000, 'nothing in flight');
  });
});
