// Fault 1: the broker stops in the middle of a stream (SIGTERM, then SIGKILL) and comes back on the
// same data dir and ports; the trigger must recover by itself and deliver every acknowledged record.
import should from 'should';
import type { NodeMessage } from 'node-red';
import { createTopic, startLocalKafka, type LocalKafka } from '../../scripts/kafka/local-kafka';
import { uniqueName } from '../support/kafka';
import {
  committedToEnd,
  DeliveryLedger,
  printFigures,
  seconds,
  sequenceNumber,
  startSequenceProducer,
} from '../support/faults';
import { brokerNode, helperNode, tab, triggerNode } from '../support/flows';
import { deploy, getNode, startNodeRed, stopNodeRed, waitForStatus } from '../support/node-red';
import { sleep, waitFor } from '../support/wait';
import type { KafkaTriggerMessage } from '../../src/nodes/types';

const PRODUCE_MS = 20000;
const OUTAGE_AFTER_MS = 5000;
const PAUSE_MS = 5000;

describe('fault: broker restart mid-stream', function () {
  this.timeout(240000);
  let broker: LocalKafka;

  before(async function () {
    this.timeout(300000);
    broker = await startLocalKafka();
  });
  after(async () => broker?.destroy());
  beforeEach(startNodeRed);
  afterEach(stopNodeRed);

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`loses nothing when the broker is stopped with ${signal} and restarted`, async () => {
      const topic = uniqueName(`restart-${signal.toLowerCase()}`);
      const group = uniqueName('restart-group');
      await createTopic(broker, topic, 3);
      await deploy([
        tab(),
        brokerNode('broker1', broker.bootstrap),
        triggerNode('trigger1', { broker: 'broker1', topic, consumer_group: group, start_from: 'earliest' }, [
          'out',
        ]),
        helperNode('out'),
      ]);
      const ledger = new DeliveryLedger();
      getNode('out').on('input', (input: NodeMessage) => {
        const msg = input as KafkaTriggerMessage;
        const n = sequenceNumber(msg.payload.message);
        if (n !== undefined) ledger.record(n);
      });
      await waitForStatus('trigger1', 'connected');

      const producer = startSequenceProducer(broker, topic, {
        batchSize: 20,
        everyMs: 50,
        durationMs: PRODUCE_MS,
      });
      await sleep(OUTAGE_AFTER_MS);
      const stoppedAt = Date.now();
      await broker.stop(signal);
      await sleep(PAUSE_MS);
      await broker.start();
      const backAt = Date.now();
      let firstAfterBack = 0;
      ledger.onDelivery((at) => {
        if (!firstAfterBack && at >= backAt) firstAfterBack = at;
      });
      await producer.done;
      const produced = producer.acknowledged.size;
      await waitFor(
        () => ledger.missing(producer.acknowledged).length === 0,
        90000,
        `all ${produced} acknowledged numbers delivered`,
      ).catch(() => undefined);
      // Duplicates are counted once none can be on its way: the group committed every record. (A
      // trigger that never recovered fails below, on what it lost.)
      await waitFor(
        () => committedToEnd(broker, group, topic),
        60000,
        'the group to commit the whole topic',
      ).catch(() => undefined);
      const lost = ledger.missing(producer.acknowledged);
      printFigures(`broker-restart-${signal.toLowerCase()}`, {
        produced,
        delivered: ledger.distinct,
        lost: lost.length,
        duplicates: ledger.duplicates,
        producer_retries: producer.failedSends,
        outage_s: seconds(backAt - stoppedAt),
        recovery_s: firstAfterBack ? seconds(firstAfterBack - backAt) : 'none',
      });
      should(lost.slice(0, 20)).eql([], `${lost.length} acknowledged numbers never delivered`);
      should(firstAfterBack).be.above(0);
    });
  }
});
