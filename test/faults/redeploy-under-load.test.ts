// Fault: redeploys at realistic rates. A real Node-RED process consumes numbered records (idempotent
// producer, 40 or 100 per send every 100 ms) into a core file node while the flow is deployed 40
// times, every 0.5 s, alternating a full deploy with a modified-nodes deploy of one changed node.
// Node-RED closes every node of a stopping flow at once, so records on their way to the file node
// when a deploy starts are dropped by it: none of them may be committed. The last scenario is a
// trigger as the palette makes it (no delivery set: complete, the default) before a change, a
// function and the file node: "lossless by default".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import should from 'should';
import { createTopic } from '../../scripts/kafka/local-kafka';
import { TRIGGER_RULES } from '../../src/settings/setting-rules';
import { uniqueName } from '../support/kafka';
import {
  DeliveryLedger,
  printFigures,
  readRecordedPayloads,
  seconds,
  sequenceNumber,
  startSequenceProducer,
  withFaultAdmin,
} from '../support/faults';
import {
  brokerNode,
  changeNode,
  fileRecorderNode,
  functionNode,
  tab,
  triggerNode,
  type FlowNode,
} from '../support/flows';
import {
  deployFlows,
  nodeStatus,
  startNodeRedProcess,
  type NodeRedProcess,
} from '../support/node-red-process';
import { sleep, waitFor } from '../support/wait';
import { sharedBroker } from '../support/shared-broker';

const DEPLOYS = 40;
const DEPLOY_EVERY_MS = 500;
const PRODUCE_EVERY_MS = 100;
const MAX_IN_FLIGHT = 100;

interface Scenario {
  name: string;
  partitions: number;
  recordsPerSecond: number;
  /** `default`: no delivery set on a trigger of the current settings version (and no max in flight). */
  delivery: 'handoff' | 'complete' | 'default';
  /**
   * Which node the modified-nodes deploys change: the trigger; the file node wired to it (hand-off
   * covers the nodes wired to the trigger); or a function node between them (complete
   * delivery covers every node a message reaches).
   */
  changed: 'trigger' | 'next-node' | 'function';
  /** A change node between the trigger and the function node. */
  change?: true;
}

const SCENARIOS: Scenario[] = [
  { name: 'p3-400-handoff', partitions: 3, recordsPerSecond: 400, delivery: 'handoff', changed: 'trigger' },
  { name: 'p6-400-handoff', partitions: 6, recordsPerSecond: 400, delivery: 'handoff', changed: 'trigger' },
  { name: 'p3-1000-handoff', partitions: 3, recordsPerSecond: 1000, delivery: 'handoff', changed: 'trigger' },
  { name: 'p3-400-complete', partitions: 3, recordsPerSecond: 400, delivery: 'complete', changed: 'trigger' },
  {
    name: 'p3-400-handoff-next-node',
    partitions: 3,
    recordsPerSecond: 400,
    delivery: 'handoff',
    changed: 'next-node',
  },
  {
    name: 'p3-400-complete-function',
    partitions: 3,
    recordsPerSecond: 400,
    delivery: 'complete',
    changed: 'function',
  },
  {
    name: 'p3-400-default-change-function',
    partitions: 3,
    recordsPerSecond: 400,
    delivery: 'default',
    changed: 'function',
    change: true,
  },
];

function deliveredNumbers(file: string): number[] {
  return readRecordedPayloads(file).flatMap((payload) => sequenceNumber(payload.message) ?? []);
}

/** Records the group has not committed yet, over every partition of the topic. */
async function uncommitted(group: string, topic: string): Promise<number> {
  return withFaultAdmin(sharedBroker(), async (admin) => {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return ends.reduce((sum, end) => {
      const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      return sum + Number(end.offset) - Math.max(Number(at), 0);
    }, 0);
  });
}

describe('fault: redeploys under load lose no record', function () {
  this.timeout(300000);
  const workDir = mkdtempSync(path.join(tmpdir(), 'kafka-trigger-redeploy-'));
  let nodeRed: NodeRedProcess | undefined;

  afterEach(async () => {
    await nodeRed?.stop('SIGKILL');
    nodeRed = undefined;
  });
  after(() => rmSync(workDir, { recursive: true, force: true }));

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: ${DEPLOYS} deploys every ${DEPLOY_EVERY_MS} ms at ${scenario.recordsPerSecond} records/s`, async () => {
      const broker = sharedBroker();
      const topic = uniqueName('redeploy');
      const group = uniqueName('redeploy-group');
      await createTopic(broker, topic, scenario.partitions);
      const file = path.join(workDir, `${scenario.name}.jsonl`);
      const viaFunction = scenario.changed === 'function';
      const delivery =
        scenario.delivery === 'default'
          ? { delivery: undefined }
          : { delivery: scenario.delivery, max_in_flight: MAX_IN_FLIGHT };
      const flows = (deploy: number): FlowNode[] => {
        const changing = deploy % 2 === 1;
        return [
          tab('redeploy'),
          brokerNode('broker1', broker.bootstrap),
          triggerNode(
            'trigger1',
            {
              broker: 'broker1',
              topic,
              consumer_group: group,
              start_from: 'earliest',
              // The setting the trigger-changing deploys toggle.
              session_timeout: changing && scenario.changed === 'trigger' ? 12000 : 10000,
              ...delivery,
            },
            [scenario.change ? 'mark1' : viaFunction ? 'pass1' : 'file1'],
          ),
          ...(scenario.change ? [changeNode('mark1', 'marked', 'yes', ['pass1'])] : []),
          ...(viaFunction
            ? [functionNode('pass1', `// deploy ${changing ? 'b' : 'a'}\nreturn msg;`, [['file1']])]
            : []),
          {
            ...fileRecorderNode('file1', file),
            name: changing && scenario.changed === 'next-node' ? 'changed' : '',
          },
        ];
      };

      nodeRed = await startNodeRedProcess({ flows: flows(0) });
      await waitFor(
        async () => (await nodeStatus(nodeRed!, 'trigger1'))?.startsWith('connected'),
        60000,
        'connected',
      );
      const batchSize = (scenario.recordsPerSecond * PRODUCE_EVERY_MS) / 1000;
      const producer = startSequenceProducer(broker, topic, {
        batchSize,
        everyMs: PRODUCE_EVERY_MS,
        durationMs: 120000,
        idempotent: true,
      });

      const stormStarted = Date.now();
      const closeTimes: number[] = [];
      for (let deploy = 1; deploy <= DEPLOYS; deploy += 1) {
        // Odd deploys change one node (a modified-nodes deploy), even ones redeploy everything.
        const before = Date.now();
        await deployFlows(nodeRed, flows(deploy), deploy % 2 === 1 ? 'nodes' : 'full');
        closeTimes.push(Date.now() - before);
        await sleep(DEPLOY_EVERY_MS);
      }
      const stormMs = Date.now() - stormStarted;
      producer.stop();
      await producer.done;
      const produced = producer.acknowledged.size;
      const drainStarted = Date.now();

      // Done when every number arrived, or when the group has committed everything (then what is
      // missing was committed without being delivered: lost).
      const ledger = new DeliveryLedger();
      await waitFor(
        async () => {
          const numbers = deliveredNumbers(file);
          if (new Set(numbers).size >= produced) return true;
          return (await uncommitted(group, topic)) === 0 && deliveredNumbers(file).length === numbers.length;
        },
        120000,
        'every record delivered or committed',
      );
      const drainMs = Date.now() - drainStarted;
      for (const n of deliveredNumbers(file)) ledger.record(n);
      const lost = ledger.missing(producer.acknowledged);
      printFigures(`redeploy-under-load-${scenario.name}`, {
        partitions: scenario.partitions,
        records_per_s: scenario.recordsPerSecond,
        delivery: scenario.delivery,
        changed: scenario.changed,
        path: scenario.change ? 'change-function-file' : viaFunction ? 'function-file' : 'file',
        deploys: DEPLOYS,
        storm_s: seconds(stormMs),
        drain_s: seconds(drainMs),
        produced,
        delivered: ledger.distinct,
        lost: lost.length,
        duplicates: ledger.duplicates,
        deploy_max_s: seconds(Math.max(...closeTimes)),
        lost_first: lost.slice(0, 10).join('/') || 'none',
      });
      should(lost).be.empty();
      // Each deploy may repeat what was in flight: at most a cap's worth in complete
      // delivery, at most the last fetch of each partition (about a second of records) on hand-off.
      const perDeploy =
        scenario.delivery === 'handoff'
          ? scenario.recordsPerSecond
          : scenario.delivery === 'default'
            ? Number(TRIGGER_RULES.max_in_flight.defaultValue)
            : MAX_IN_FLIGHT;
      should(ledger.duplicates).be.belowOrEqual(DEPLOYS * perDeploy);
    });
  }
});
