// Fault 6: compressed batches written by a client nobody here wrote (kcat, i.e. librdkafka) with
// every codec Kafka has are decoded by the trigger.
import should from 'should';
import { createTopic } from '../../scripts/kafka/local-kafka';
import type { KafkaTriggerMessage } from '../../src/nodes/types';
import { uniqueName } from '../support/kafka';
import { printFigures } from '../support/faults';
import { ensureKcat, produceWithKcat, type KcatCompression } from '../support/kcat';
import { brokerNode, helperNode, tab, triggerNode } from '../support/flows';
import { collect, deploy, startNodeRed, stopNodeRed, waitForStatus } from '../support/node-red';
import { waitFor } from '../support/wait';
import { sharedBroker } from '../support/shared-broker';

const CODECS: KcatCompression[] = ['gzip', 'snappy', 'lz4', 'zstd'];
const RECORDS = 200;

describe('fault: compression interop with kcat', function () {
  this.timeout(120000);
  let kcat = '';
  const figures: Record<string, string> = {};

  before(async function () {
    this.timeout(300000);
    kcat = await ensureKcat();
  });
  beforeEach(startNodeRed);
  afterEach(stopNodeRed);
  after(() => printFigures('compression-kcat', { kcat: JSON.stringify(kcat), ...figures }));

  for (const codec of CODECS) {
    it(`decodes ${codec} batches written by kcat`, async () => {
      const broker = sharedBroker();
      const topic = uniqueName(`kcat-${codec}`);
      await createTopic(broker, topic, 1);
      await deploy([
        tab(),
        brokerNode('broker1', broker.bootstrap),
        triggerNode('trigger1', { broker: 'broker1', topic, start_from: 'earliest' }, ['out']),
        helperNode('out'),
      ]);
      const received = collect<KafkaTriggerMessage>('out');
      await waitForStatus('trigger1', 'connected');
      // Repetitive values compress well, so librdkafka really sends compressed batches.
      const lines = Array.from(
        { length: RECORDS },
        (_, i) => `k${i}|${JSON.stringify({ i, codec, text: 'compressible '.repeat(20) })}`,
      );
      await produceWithKcat(broker.bootstrap, topic, lines, {
        compression: codec,
        keyDelimiter: '|',
        headers: [`codec=${codec}`],
      });
      await waitFor(() => received.length >= RECORDS, 30000, `${RECORDS} ${codec} records`).catch(
        () => undefined,
      );
      figures[codec] = `${received.length}/${RECORDS}`;
      should(received).have.length(RECORDS);
      received.forEach((msg, i) => {
        should(msg.payload.key).equal(`k${i}`);
        should(msg.payload.message).containEql({ i, codec });
        should(msg.payload.headers).eql({ codec });
      });
    });
  }
});
