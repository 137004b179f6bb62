// Fault: two real Node-RED processes are the two members of one consumer group on a 3-partition
// topic. An inject node in one of them sends the trigger a seek to earliest (fired through the admin
// HTTP API); only that member's partitions are read again, the other member's are left alone, and
// both carry on consuming afterwards. Each process records its deliveries with a core file node, and
// the control msg's done() (Complete node) or done(error) (Catch node) into two more files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import should from 'should';
import { createTopic } from '../../scripts/kafka/local-kafka';
import type { TriggerData } from '../../src/formats/trigger-data';
import { describeGroup, produce, recordsOnEachPartition, uniqueName } from '../support/kafka';
import { printFigures, readRecordedPayloads, seconds, groupMembers } from '../support/faults';
import { brokerNode, fileRecorderNode, tab, TAB, triggerNode, type FlowNode } from '../support/flows';
import { startNodeRedProcess, type NodeRedProcess } from '../support/node-red-process';
import { waitFor } from '../support/wait';
import { sharedBroker } from '../support/shared-broker';

const PARTITIONS = 3;
/** Records per partition before the seek. */
const N = 5;

/** `count` records per partition, values `<prefix>-<partition>-<n>`. */
function records(prefix: string, count: number): { value: string; partition: number }[] {
  return recordsOnEachPartition(prefix, count, PARTITIONS);
}

/** [partition, offset] of each delivery, sorted. */
function positions(deliveries: TriggerData[]): [number, number][] {
  return deliveries
    .map((data): [number, number] => [data.partition, data.offset])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/** Every offset from..to-1 of each partition, as positions() gives them. */
function expectedPositions(partitions: number[], from: number, to: number): [number, number][] {
  return [...partitions]
    .sort((a, b) => a - b)
    .flatMap((partition) =>
      Array.from({ length: to - from }, (_, i): [number, number] => [partition, from + i]),
    );
}

describe('fault: a seek in one of two Node-RED processes of one group', function () {
  this.timeout(180000);
  const workDir = mkdtempSync(path.join(tmpdir(), 'kafka-trigger-control-seek-'));
  const processes: NodeRedProcess[] = [];

  after(async () => {
    await Promise.all(processes.map((proc) => proc.stop('SIGKILL')));
    rmSync(workDir, { recursive: true, force: true });
  });

  it("moves only that process's partitions; the other keeps its place and both carry on", async () => {
    const startedAt = Date.now();
    const broker = sharedBroker();
    const topic = uniqueName('control-seek-procs');
    const group = uniqueName('control-seek-procs-group');
    await createTopic(broker, topic, PARTITIONS);
    const names = ['seek-a', 'seek-b'] as const;
    const files = names.map((name) => ({
      deliveries: path.join(workDir, `${name}-deliveries.jsonl`),
      done: path.join(workDir, `${name}-control-done.jsonl`),
      failed: path.join(workDir, `${name}-control-failed.jsonl`),
    }));
    const started = await Promise.all(
      names.map((name, i) => {
        const flows: FlowNode[] = [
          tab('control seek'),
          brokerNode('broker1', broker.bootstrap, { client_id: name }),
          {
            id: 'inject1',
            type: 'inject',
            z: TAB,
            name: '',
            props: [{ p: 'payload' }, { p: 'action', v: 'seek', vt: 'str' }],
            repeat: '',
            crontab: '',
            once: false,
            onceDelay: 0.1,
            topic: '',
            payload: '{"to":"earliest"}',
            payloadType: 'json',
            wires: [['trigger1']],
          },
          triggerNode(
            'trigger1',
            {
              broker: 'broker1',
              topic,
              consumer_group: group,
              start_from: 'earliest',
              control: true,
              inputs: 1,
            },
            ['recorder'],
          ),
          fileRecorderNode('recorder', files[i].deliveries),
          // The control msg's end: done() reaches the Complete node, done(error) the Catch node.
          {
            id: 'complete1',
            type: 'complete',
            z: TAB,
            scope: ['trigger1'],
            uncaught: false,
            wires: [['done']],
          },
          fileRecorderNode('done', files[i].done),
          { id: 'catch1', type: 'catch', z: TAB, scope: ['trigger1'], uncaught: false, wires: [['failed']] },
          fileRecorderNode('failed', files[i].failed),
        ];
        return startNodeRedProcess({ dir: path.join(workDir, name), flows });
      }),
    );
    processes.push(...started);
    const procA = started[0];
    const logs = (): string => started.map((p, i) => `--- ${names[i]}\n${p.logTail(15)}`).join('\n');

    const members = (await waitFor(
      async () => {
        const found = await groupMembers(sharedBroker(), group, topic);
        return found.length === 2 && found.every((member) => member.partitions.length > 0)
          ? found
          : undefined;
      },
      60000,
      'both processes in the group, each with partitions',
    ).catch((error: Error) => {
      console.log(logs());
      throw error;
    }))!;
    const ownedBy = (name: string): number[] =>
      members.find((member) => member.clientId === name)?.partitions ?? [];
    const [ownA, ownB] = [ownedBy('seek-a'), ownedBy('seek-b')];
    should([...ownA, ...ownB].sort()).eql([0, 1, 2]);
    const groupedAt = Date.now();

    await produce(topic, records('a', N));
    const delivered = (i: number): TriggerData[] => readRecordedPayloads(files[i].deliveries);
    const committedAt = async (offset: number): Promise<boolean> => {
      const { committed } = await describeGroup(group, topic);
      return [0, 1, 2].every((partition) => committed[partition] === offset);
    };
    await waitFor(
      () => delivered(0).length + delivered(1).length === PARTITIONS * N,
      60000,
      'every record delivered once',
    );
    await waitFor(() => committedAt(N), 30000, `offset ${N} committed on every partition`);
    // Each process got exactly its own partitions, as the group assigned them.
    should(positions(delivered(0))).eql(expectedPositions(ownA, 0, N));
    should(positions(delivered(1))).eql(expectedPositions(ownB, 0, N));
    const beforeA = delivered(0).length;
    const beforeB = delivered(1).length;

    const seekAt = Date.now();
    const response = await fetch(`${procA.baseUrl}/inject/inject1`, { method: 'POST' });
    should(response.status).equal(200, await response.text());
    await waitFor(() => readRecordedPayloads(files[0].done).length === 1, 30000, "the seek's done()").catch(
      (error: Error) => {
        console.log(`failed: ${JSON.stringify(readRecordedPayloads(files[0].failed))}\n${logs()}`);
        throw error;
      },
    );
    await waitFor(
      () => delivered(0).length === beforeA + ownA.length * N,
      30000,
      "process A's partitions read again",
    );
    await waitFor(() => committedAt(N), 30000, `offset ${N} committed again on every partition`);
    const replayMs = Date.now() - seekAt;
    should(positions(delivered(0).slice(beforeA))).eql(expectedPositions(ownA, 0, N));
    should(delivered(1).length).equal(beforeB);
    should(readRecordedPayloads(files[0].failed)).eql([]);
    should(readRecordedPayloads(files[1].done)).eql([]);
    should(readRecordedPayloads(files[1].failed)).eql([]);

    // Both members carry on: one more record per partition reaches its owner, and nothing else comes.
    await produce(topic, records('b', 1));
    await waitFor(
      () =>
        delivered(0).length === beforeA + ownA.length * (N + 1) &&
        delivered(1).length === beforeB + ownB.length,
      30000,
      'the b records on both processes',
    );
    await waitFor(() => committedAt(N + 1), 30000, `offset ${N + 1} committed on every partition`);
    should(positions(delivered(0).slice(beforeA + ownA.length * N))).eql(expectedPositions(ownA, N, N + 1));
    should(positions(delivered(1).slice(beforeB))).eql(expectedPositions(ownB, N, N + 1));
    should(delivered(0).length).equal(beforeA + ownA.length * (N + 1));
    should(delivered(1).length).equal(beforeB + ownB.length);
    should((await groupMembers(sharedBroker(), group, topic)).map((member) => member.clientId).sort()).eql([
      ...names,
    ]);
    printFigures('control-seek-processes', {
      assignment: members.map((m) => `${m.clientId}:${m.partitions.join('.')}`).join(','),
      group_formed_s: seconds(groupedAt - startedAt),
      replay_s: seconds(replayMs),
      total_s: seconds(Date.now() - startedAt),
      deliveries: `${delivered(0).length}/${delivered(1).length}`,
    });
  });
});
