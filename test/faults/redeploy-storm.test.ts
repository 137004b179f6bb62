// Fault 3: 50 full deploys and 50 deploys of the modified trigger only, while records flow. Every
// close must finish inside Node-RED's close timeout, no consumer may be left behind (group
// members, sockets, heap), and every produced record must arrive at least once.
import should from 'should';
import type { Node, NodeMessage } from 'node-red';
import { createTopic } from '../../scripts/kafka/local-kafka';
import type { KafkaTriggerMessage } from '../../src/nodes/types';
import { uniqueName } from '../support/kafka';
import {
  DeliveryLedger,
  establishedSocketsTo,
  heapAfterGc,
  median,
  mib,
  printFigures,
  seconds,
  sequenceNumber,
  startSequenceProducer,
  withFaultAdmin,
} from '../support/faults';
import { brokerNode, helperNode, tab, triggerNode, type FlowNode } from '../support/flows';
import { deploy, getNode, helper, startNodeRed, stopNodeRed, waitForStatus } from '../support/node-red';
import { sleep, waitFor } from '../support/wait';
import { sharedBroker } from '../support/shared-broker';

const DEPLOYS_PER_KIND = 50;
/** Node-RED's default nodeCloseTimeout. */
const NODE_RED_CLOSE_TIMEOUT_MS = 15000;
const SESSION_TIMEOUT_MS = 10000;
/** Sockets: the first ten deploys' maximum plus this many. */
const SOCKET_TOLERANCE = 2;
/**
 * Heap: the last ten deploys' median may be at most 1.5 times the first ten's plus 5 MiB. The ledger
 * of delivered numbers grows a little with every record, and V8 keeps some slack after a GC;
 * a leaked consumer per deploy (kafkajs client, buffers, timers) would cost far more over 100 deploys.
 */
const HEAP_FACTOR = 1.5;
const HEAP_SLACK_BYTES = 5 * 1024 * 1024;

interface DeploySample {
  kind: 'full' | 'nodes';
  closeMs: number;
  sockets: number;
  heap: number;
}

describe('fault: redeploy storm', function () {
  this.timeout(600000);
  beforeEach(startNodeRed);
  afterEach(stopNodeRed);

  it('survives 50 full and 50 modified-node deploys without losing records or leaking consumers', async () => {
    const broker = sharedBroker();
    const port = Number(broker.bootstrap.split(':')[1]);
    const topic = uniqueName('storm');
    const group = uniqueName('storm-group');
    await createTopic(broker, topic, 3);
    const flow = (name: string): FlowNode[] => [
      tab(),
      brokerNode('broker1', broker.bootstrap),
      triggerNode(
        'trigger1',
        {
          name,
          broker: 'broker1',
          topic,
          consumer_group: group,
          start_from: 'earliest',
          session_timeout: SESSION_TIMEOUT_MS,
        },
        ['out'],
      ),
      helperNode('out'),
    ];

    const ledger = new DeliveryLedger();
    const listening = new WeakSet<Node>();
    const listen = (): void => {
      const out = getNode('out');
      if (listening.has(out)) return;
      listening.add(out);
      out.on('input', (input: NodeMessage) => {
        const msg = input as KafkaTriggerMessage;
        const n = sequenceNumber(msg.payload.message);
        if (n !== undefined) ledger.record(n);
      });
    };

    await deploy(flow('storm-0'));
    listen();
    await waitForStatus('trigger1', 'connected');
    const producer = startSequenceProducer(broker, topic, {
      batchSize: 10,
      everyMs: 100,
      durationMs: 600000,
    });

    const samples: DeploySample[] = [];
    const kinds = [
      ...Array<'full'>(DEPLOYS_PER_KIND).fill('full'),
      ...Array<'nodes'>(DEPLOYS_PER_KIND).fill('nodes'),
    ];
    const started = Date.now();
    for (const [index, kind] of kinds.entries()) {
      // The helper's spies remember every call (and every msg); forget them so the heap shows the node's own state.
      (helper as unknown as { _sandbox: { resetHistory(): void } })._sandbox.resetHistory();
      const name = kind === 'nodes' ? `storm-${index + 1}` : `storm-${index}`;
      const before = Date.now();
      await helper.setFlows(flow(name), kind);
      const closeMs = Date.now() - before;
      listen();
      // Every fifth deploy comes before the trigger has joined, so close also meets a consumer that is still connecting.
      if (index % 5 !== 4) await waitForStatus('trigger1', 'connected', 60000);
      else await sleep(Math.floor(Math.random() * 300));
      samples.push({ kind, closeMs, sockets: establishedSocketsTo(port), heap: heapAfterGc() });
    }
    const stormMs = Date.now() - started;
    await waitForStatus('trigger1', 'connected', 60000);
    producer.stop();
    await producer.done;
    await waitFor(
      () => ledger.missing(producer.acknowledged).length === 0,
      60000,
      'every produced number delivered',
    ).catch(() => undefined);

    const view = (await waitFor(
      async () => {
        const described = await withFaultAdmin(broker, (admin) => admin.describeGroups([group]));
        const [description] = described.groups;
        return description && description.state === 'Stable' ? description : undefined;
      },
      SESSION_TIMEOUT_MS + 20000,
      'a stable group',
    ))!;
    // A consumer left behind by a close would still be a member after its session timeout.
    await sleep(SESSION_TIMEOUT_MS + 2000);
    const [afterwards] = (await withFaultAdmin(broker, (admin) => admin.describeGroups([group]))).groups;

    const first = samples.slice(0, 10);
    const last = samples.slice(-10);
    const lost = ledger.missing(producer.acknowledged);
    const closes = samples.map((sample) => sample.closeMs);
    const figures = {
      deploys: samples.length,
      storm_s: seconds(stormMs),
      produced: producer.acknowledged.size,
      delivered: ledger.distinct,
      lost: lost.length,
      duplicates: ledger.duplicates,
      close_max_ms: Math.max(...closes),
      close_median_ms: median(closes),
      close_full_max_ms: Math.max(...samples.filter((s) => s.kind === 'full').map((s) => s.closeMs)),
      close_nodes_max_ms: Math.max(...samples.filter((s) => s.kind === 'nodes').map((s) => s.closeMs)),
      members: afterwards?.members.length ?? 0,
      group_state: afterwards?.state ?? 'none',
      sockets_first10: first.map((s) => s.sockets).join('/'),
      sockets_last10: last.map((s) => s.sockets).join('/'),
      heap_first10_median_mib: mib(median(first.map((s) => s.heap))),
      heap_last10_median_mib: mib(median(last.map((s) => s.heap))),
    };
    printFigures('redeploy-storm', figures);

    should(view.members.length).equal(1);
    should(afterwards?.members.length).equal(1, 'exactly one group member after the storm');
    should(lost.slice(0, 20)).eql([], `${lost.length} produced numbers never delivered`);
    for (const [index, sample] of samples.entries()) {
      should(sample.closeMs).be.below(
        NODE_RED_CLOSE_TIMEOUT_MS,
        `deploy ${index + 1} (${sample.kind}) took ${sample.closeMs} ms to close`,
      );
    }
    should(Math.max(...last.map((s) => s.sockets))).be.belowOrEqual(
      Math.max(...first.map((s) => s.sockets)) + SOCKET_TOLERANCE,
    );
    should(median(last.map((s) => s.heap))).be.belowOrEqual(
      median(first.map((s) => s.heap)) * HEAP_FACTOR + HEAP_SLACK_BYTES,
    );
  });
});
