import should from 'should';
import { findFreePorts } from '../../scripts/kafka/ports';
import { createTopic, startLocalKafka, type LocalKafka } from '../../scripts/kafka/local-kafka';
import { produce, uniqueName } from '../support/kafka';
import { brokerNode, helperNode, statusWatcher, tab, triggerNode } from '../support/flows';
import {
  collect,
  deploy,
  deployTrigger,
  lastStatusText,
  loggedBy,
  startNodeRed,
  statusCalls,
  stopNodeRed,
  waitForStatus,
} from '../support/node-red';
import { waitFor } from '../support/wait';
import { withoutHandoffMark } from '../support/badge';
import { sharedBroker } from '../support/shared-broker';

describe('kafka-trigger connection lifecycle', function () {
  beforeEach(startNodeRed);
  afterEach(stopNodeRed);

  it('reports connecting then connected to a Status node', async () => {
    const topic = uniqueName('status');
    await createTopic(sharedBroker(), topic);
    await deploy([
      tab(),
      brokerNode('broker1', sharedBroker().bootstrap),
      triggerNode('trigger1', { broker: 'broker1', topic }),
      ...statusWatcher('status1', ['trigger1'], 'statusOut'),
    ]);
    const seen = collect<{ status: { text: string; fill: string; shape: string } }>('statusOut');
    await waitFor(() =>
      seen.some((msg) => withoutHandoffMark(msg.status.text) === 'kafka-trigger.status.connected'),
    );
    const texts = seen.map((msg) => withoutHandoffMark(msg.status.text));
    should(texts[0]).equal('kafka-trigger.status.connecting');
    should(seen[0].status).containEql({ fill: 'yellow', shape: 'ring' });
    should(seen.find((msg) => withoutHandoffMark(msg.status.text).endsWith('connected'))!.status).containEql({
      fill: 'green',
      shape: 'dot',
    });
  });

  it('without any brokers logs one error naming both places and does nothing else', async () => {
    const saved = process.env.KAFKA_BROKERS;
    delete process.env.KAFKA_BROKERS;
    try {
      await deploy([tab(), triggerNode('trigger1', { topic: 'anything' })]);
      await waitFor(() => lastStatusText('trigger1') === 'kafka-trigger.status.no-brokers');
      should(loggedBy('trigger1', 'error')).eql(['kafka-trigger.errors.no-brokers']);
      should(statusCalls('trigger1')[0]).containEql({ fill: 'red', shape: 'ring' });
    } finally {
      if (saved !== undefined) process.env.KAFKA_BROKERS = saved;
    }
  });

  describe('problems found at deploy reach a Status node', () => {
    let saved: string | undefined;
    beforeEach(() => {
      saved = process.env.KAFKA_BROKERS;
      delete process.env.KAFKA_BROKERS;
    });
    afterEach(() => {
      if (saved !== undefined) process.env.KAFKA_BROKERS = saved;
    });

    for (const [problem, props] of [
      ['no-brokers', { topic: 'anything' }],
      ['invalid-settings', { topic: 'not a topic!' }],
      ['invalid-settings', { topic: 'anything', broker: 'no-such-broker-node' }],
    ] as const) {
      it(`${problem} for ${JSON.stringify(props)}`, async () => {
        await deploy([
          tab(),
          triggerNode('trigger1', props),
          ...statusWatcher('status1', ['trigger1'], 'statusOut'),
        ]);
        const seen = collect<{ status: { text: string; fill: string; shape: string } }>('statusOut');
        const status = await waitFor(() => seen.find((msg) => msg.status.text.endsWith(problem)));
        should(status!.status).containEql({
          fill: 'red',
          shape: 'ring',
          text: `kafka-trigger.status.${problem}`,
        });
        should(loggedBy('trigger1', 'error')).have.length(1);
      });
    }
  });

  describe('KAFKA_BROKERS', () => {
    let saved: string | undefined;
    beforeEach(() => {
      saved = process.env.KAFKA_BROKERS;
      process.env.KAFKA_BROKERS = sharedBroker().bootstrap;
    });
    afterEach(() => {
      if (saved === undefined) delete process.env.KAFKA_BROKERS;
      else process.env.KAFKA_BROKERS = saved;
    });

    for (const [what, flow] of [
      ['a trigger without a broker node', (topic: string) => [triggerNode('trigger1', { topic }, ['out'])]],
      [
        'a broker node whose list is blank',
        (topic: string) => [
          brokerNode('broker1', ''),
          triggerNode('trigger1', { broker: 'broker1', topic }, ['out']),
        ],
      ],
    ] as const) {
      it(`is used by ${what}`, async () => {
        const topic = uniqueName('env-brokers');
        await createTopic(sharedBroker(), topic);
        await deploy([tab(), ...flow(topic), helperNode('out')]);
        const received = collect('out');
        await waitForStatus('trigger1', 'connected');
        await produce(topic, [{ value: '"via env"' }]);
        await waitFor(() => received.length === 1);
        should(received[0].payload.message).equal('via env');
      });
    }
  });

  it('names a missing topic, keeps retrying, and consumes once it exists', async () => {
    const topic = uniqueName('missing');
    const received = await deployTrigger({ topic }, { status: 'topic-missing' });
    const warnings = loggedBy('trigger1', 'warn');
    should(warnings[0]).equal('kafka-trigger.errors.topic-missing');

    await createTopic(sharedBroker(), topic);
    await waitForStatus('trigger1', 'connected', 60000);
    await produce(topic, [{ value: '"now it exists"' }]);
    await waitFor(() => received.length === 1);
    should(received[0].payload.message).equal('now it exists');
  });

  describe('with the broker down at deploy', () => {
    let lateBroker: LocalKafka | undefined;
    after(async () => lateBroker?.destroy());

    it('shows red, retries with backoff, and consumes once the broker starts, without a redeploy', async function () {
      this.timeout(180000);
      const [port] = await findFreePorts(1);
      const address = `127.0.0.1:${port}`;
      const topic = uniqueName('late');
      const received = await deployTrigger({ topic }, { brokers: address, status: 'disconnected' });
      should(statusCalls('trigger1').at(-1)).containEql({ fill: 'red', shape: 'ring' });
      await waitFor(() => loggedBy('trigger1', 'warn').length >= 2, 30000, 'two retry warnings');
      should(loggedBy('trigger1', 'warn')).matchEach('kafka-trigger.errors.retrying');

      lateBroker = await startLocalKafka({ listeners: [{ name: 'PLAINTEXT', protocol: 'PLAINTEXT', port }] });
      await createTopic(lateBroker, topic);
      await waitForStatus('trigger1', 'connected', 90000);
      await produce(topic, [{ value: '"after the outage"' }], lateBroker);
      await waitFor(() => received.length === 1);
      should(received[0].payload.message).equal('after the outage');
    });
  });
});
