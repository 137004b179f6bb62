import should from 'should';
import type { MetricsSnapshot } from '../../src/consumer/consumer-metrics';
import { newTopic, produce } from '../support/kafka';
import { helperNode } from '../support/flows';
import { collect, deployTrigger, startNodeRed, stopNodeRed } from '../support/node-red';
import { waitFor } from '../support/wait';

describe('kafka-trigger metrics output', function () {
  beforeEach(startNodeRed);
  afterEach(stopNodeRed);

  it('sends the key metrics on a second output every interval', async () => {
    const topic = await newTopic('metrics', 2);
    await produce(
      topic,
      Array.from({ length: 40 }, (_, n) => ({ value: String(n), partition: n % 2 })),
    );
    const received = await deployTrigger(
      { topic, start_from: 'earliest', metrics_interval: 1, outputs: 2 },
      { wires: [['out'], ['metrics']], nodes: [helperNode('metrics')], status: false },
    );
    const metrics = collect<{ topic: string; payload: MetricsSnapshot }>('metrics');
    await waitFor(() => received.length === 40, 30000, 'the backlog');
    const latest = await waitFor(
      () => metrics.find((msg) => msg.payload.records === 40),
      10000,
      'metrics with 40 records',
    );
    should(latest!.topic).equal('metrics');
    should(latest!.payload).containEql({
      topic,
      group_id: 'operion-triggers-trigger1',
      lag: { 0: 0, 1: 0 },
      total_lag: 0,
    });
    should(latest!.payload.errors).equal(0);
    should(latest!.payload.in_flight).equal(0);
    should(received.every((msg) => typeof msg.payload.offset === 'number')).be.true();
  });
});
