// Fault 4: three real Node-RED processes share one group on a 6-partition topic; one is SIGKILLed
// and the other two take over its partitions. Every process records what it gets with a core file
// node (one JSON line per msg.payload).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import should from 'should';
import { createTopic } from '../../scripts/kafka/local-kafka';
import { uniqueName } from '../support/kafka';
import {
  DeliveryLedger,
  printFigures,
  readRecordedPayloads,
  seconds,
  sequenceNumber,
  startSequenceProducer,
  groupMembers,
} from '../support/faults';
import { brokerNode, fileRecorderNode, tab, triggerNode } from '../support/flows';
import { startNodeRedProcess, type NodeRedProcess } from '../support/node-red-process';
import { sleep, waitFor } from '../support/wait';
import { sharedBroker } from '../support/shared-broker';

const PROCESSES = 3;
const PARTITIONS = 6;
const SESSION_TIMEOUT_MS = 10000;
const HEARTBEAT_MS = 3000;
/** Session timeout for the dead member, then one rebalance (every member rejoins within a heartbeat or so). */
const TAKEOVER_BOUND_MS = SESSION_TIMEOUT_MS + 10000;

describe('fault: horizontal scaling across Node-RED processes', function () {
  this.timeout(300000);
  const workDir = mkdtempSync(path.join(tmpdir(), 'kafka-trigger-scaling-'));
  const processes: NodeRedProcess[] = [];

  after(async () => {
    await Promise.all(processes.map((proc) => proc.stop('SIGKILL')));
    rmSync(workDir, { recursive: true, force: true });
  });

  it('splits the partitions over three processes and the survivors take over from a killed one', async () => {
    const broker = sharedBroker();
    const topic = uniqueName('scaling');
    const group = uniqueName('scaling-group');
    await createTopic(broker, topic, PARTITIONS);
    const files = Array.from({ length: PROCESSES }, (_, i) => path.join(workDir, `deliveries-${i}.jsonl`));
    for (const [i, file] of files.entries()) {
      const flows = [
        tab('scaling'),
        brokerNode('broker1', broker.bootstrap, { client_id: `proc-${i}` }),
        triggerNode(
          'trigger1',
          {
            broker: 'broker1',
            topic,
            consumer_group: group,
            start_from: 'earliest',
            session_timeout: SESSION_TIMEOUT_MS,
            heartbeat_interval: HEARTBEAT_MS,
          },
          ['recorder'],
        ),
        fileRecorderNode('recorder', file),
      ];
      const dir = path.join(workDir, `proc-${i}`);
      processes.push(await startNodeRedProcess({ dir, flows }));
    }

    const producer = startSequenceProducer(broker, topic, {
      batchSize: 12,
      everyMs: 100,
      durationMs: 40000,
      partitions: PARTITIONS,
    });
    const spread = (await waitFor(
      async () => {
        const members = await groupMembers(sharedBroker(), group, topic);
        return members.length === PROCESSES && members.every((member) => member.partitions.length > 0)
          ? members
          : undefined;
      },
      60000,
      'three members, each with partitions',
    ).catch(async (error: Error) => {
      const members = await groupMembers(sharedBroker(), group, topic).catch(() => []);
      console.log(
        `members: ${JSON.stringify(members)}\n${processes.map((p) => p.logTail(15)).join('\n---\n')}`,
      );
      throw error;
    }))!;
    // The scenario, not a wait: all three members consume for a while before one is killed.
    await sleep(5000);

    const victim = 1;
    const killedAt = Date.now();
    await processes[victim].stop('SIGKILL');
    const takeover = (await waitFor(
      async () => {
        const members = await groupMembers(sharedBroker(), group, topic);
        const covered = new Set(members.flatMap((member) => member.partitions));
        return members.length === PROCESSES - 1 &&
          covered.size === PARTITIONS &&
          !members.some((member) => member.clientId === `proc-${victim}`)
          ? members
          : undefined;
      },
      60000,
      'the survivors owning all six partitions',
    ))!;
    const takeoverMs = Date.now() - killedAt;

    await producer.done;
    const ledger = new DeliveryLedger();
    const perProcess: number[] = [];
    const perPartitionAfterKill = new Map<number, Set<number>>();
    const collectAll = (): void => {
      ledger.counts.clear();
      ledger.total = 0;
      perProcess.length = 0;
      for (const [i, file] of files.entries()) {
        const deliveries = readRecordedPayloads(file);
        perProcess.push(deliveries.length);
        for (const data of deliveries) {
          const n = sequenceNumber(data.message);
          if (n !== undefined) ledger.record(n);
        }
        if (i !== victim) {
          for (const data of deliveries) {
            const owners = perPartitionAfterKill.get(data.partition) ?? new Set<number>();
            owners.add(i);
            perPartitionAfterKill.set(data.partition, owners);
          }
        }
      }
    };
    await waitFor(
      () => {
        collectAll();
        return ledger.missing(producer.acknowledged).length === 0;
      },
      60000,
      'every produced number in the delivery files',
    ).catch(() => undefined);
    collectAll();
    const lost = ledger.missing(producer.acknowledged);
    printFigures('horizontal-scaling', {
      processes: PROCESSES,
      partitions: PARTITIONS,
      assignment_before: spread.map((m) => `${m.clientId}:${m.partitions.join('.')}`).join(','),
      assignment_after: takeover.map((m) => `${m.clientId}:${m.partitions.join('.')}`).join(','),
      takeover_s: seconds(takeoverMs),
      takeover_bound_s: seconds(TAKEOVER_BOUND_MS),
      produced: producer.acknowledged.size,
      delivered: ledger.distinct,
      lost: lost.length,
      duplicates: ledger.duplicates,
      per_process: perProcess.join('/'),
    });
    if (lost.length > 0) console.log(`Node-RED log of proc-0:\n${processes[0].logTail(20)}`);
    should(spread.every((member) => member.partitions.length > 0)).be.true();
    should(takeoverMs).be.belowOrEqual(TAKEOVER_BOUND_MS);
    should(lost.slice(0, 20)).eql([], `${lost.length} produced numbers were never written by any process`);
  });
});
