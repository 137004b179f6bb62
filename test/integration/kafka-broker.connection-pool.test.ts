// One broker node, one pool: ten triggers and ten kafka-produce nodes on one kafka-broker node, in
// a real Node-RED process, open one consumer per trigger and share one admin client and one
// producer. The test counts the process's TCP connections to the broker once every node has worked.
import should from 'should';
import { createTopic } from '../../scripts/kafka/local-kafka';
import { establishedSocketsTo, printFigures } from '../support/faults';
import { brokerNode, produceNode, tab, triggerNode, type FlowNode } from '../support/flows';
import { produce, readRecords, uniqueName } from '../support/kafka';
import {
  deployFlows,
  nodeStatus,
  startNodeRedProcess,
  type NodeRedProcess,
} from '../support/node-red-process';
import { sharedBroker } from '../support/shared-broker';
import { waitFor } from '../support/wait';

const PAIRS = 10;

describe('kafka-broker: one connection pool', function () {
  this.timeout(180000);
  let nodeRed: NodeRedProcess | undefined;
  afterEach(async () => {
    await nodeRed?.stop();
    nodeRed = undefined;
  });

  /** Ten trigger → produce pairs on one broker node; every pair reads its own topic and writes to `out`. */
  async function deployPairs(
    out: string,
    withProducers: boolean,
  ): Promise<{ inputs: string[]; pid: number }> {
    const broker = sharedBroker();
    const inputs = Array.from({ length: PAIRS }, (_, index) => uniqueName(`pool-in-${index}`));
    for (const topic of inputs) await createTopic(broker, topic, 1);
    const flow: FlowNode[] = [tab(), brokerNode('broker1', broker.bootstrap)];
    inputs.forEach((topic, index) => {
      const wires = withProducers ? [`produce${index}`] : [];
      flow.push(triggerNode(`trigger${index}`, { broker: 'broker1', topic }, wires));
      if (withProducers) flow.push(produceNode(`produce${index}`, { broker: 'broker1', topic: out }));
    });
    nodeRed = await startNodeRedProcess({ flows: [] });
    await deployFlows(nodeRed, flow);
    const proc = nodeRed;
    // Connected: joined, and a new group's start looked up through the admin client and committed.
    for (let index = 0; index < PAIRS; index++) {
      await waitFor(
        async () => (await nodeStatus(proc, `trigger${index}`))?.startsWith('connected'),
        60000,
        `trigger${index} to connect`,
      );
    }
    return { inputs, pid: proc.child.pid! };
  }

  it('opens one consumer per trigger and shares one admin client and one producer among all nodes', async () => {
    const port = Number(sharedBroker().bootstrap.split(':')[1]);
    const out = uniqueName('pool-out');
    await createTopic(sharedBroker(), out, 1);

    const triggersOnly = await deployPairs(out, false);
    const triggerSockets = establishedSocketsTo(port, triggersOnly.pid);
    await nodeRed!.stop();

    const pairs = await deployPairs(out, true);
    for (const topic of pairs.inputs) await produce(topic, [{ value: JSON.stringify({ topic }) }]);
    // Every trigger delivered, and every produce node wrote.
    const written = await readRecords(out, PAIRS);
    should(written).have.length(PAIRS);
    const allSockets = establishedSocketsTo(port, pairs.pid);

    printFigures('connection pool', {
      triggers: PAIRS,
      'produce nodes': PAIRS,
      'connections, triggers only': triggerSockets,
      'connections, triggers and produce nodes': allSockets,
    });
    // On one broker each trigger's consumer holds two connections (fetches, group coordinator) and
    // the pool's admin client one: before the pool, every trigger had an admin client of its own
    // (30 connections here) and every produce node a producer (40).
    should(triggerSockets).be.belowOrEqual(PAIRS * 2 + 2);
    // Ten produce nodes share the one producer: at most its two connections more.
    should(allSockets - triggerSockets).be.belowOrEqual(2);
  });
});
