import should from 'should';
import { produceWithJavaClient, type JavaCompression } from '../../scripts/kafka/local-kafka';
import { newTopic } from '../support/kafka';
import { deployTrigger, startNodeRed, stopNodeRed } from '../support/node-red';
import { waitFor } from '../support/wait';
import { sharedBroker } from '../support/shared-broker';

describe('kafka-trigger with compressed batches from the Java client', function () {
  beforeEach(startNodeRed);
  afterEach(stopNodeRed);

  for (const compression of ['gzip', 'snappy', 'lz4', 'zstd'] as JavaCompression[]) {
    it(`decodes ${compression}`, async () => {
      const topic = await newTopic(`compressed-${compression}`);
      const lines = Array.from(
        { length: 50 },
        (_, i) => `key-${i}|{"n":${i},"text":"${'compressible '.repeat(20)}"}`,
      );
      await produceWithJavaClient(sharedBroker(), topic, lines, compression, { keySeparator: '|' });
      const received = await deployTrigger({ topic, start_from: 'earliest' });
      await waitFor(() => received.length === 50, 30000, `50 ${compression} records`);
      received.forEach((msg, i) => {
        should(msg.payload.key).equal(`key-${i}`);
        should(msg.payload.message).eql({ n: i, text: 'compressible '.repeat(20) });
      });
    });
  }
});
