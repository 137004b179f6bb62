// Records compressed by this package's codecs on write are read back, byte for byte, by kcat (librdkafka)
// and by Kafka's own Java consumer, and the broker's log shows the batches really carry each codec.
import should from 'should';
import { compressionProblem } from '../../src/client/codecs';
import type { Compression } from '../../src/settings/setting-rules';
import { newTopic } from '../support/kafka';
import { brokerNode, helperNode, produceNode, tab } from '../support/flows';
import {
  collect,
  deploy,
  getNode,
  lastStatusText,
  loggedBy,
  startNodeRed,
  stopNodeRed,
  waitForStatus,
} from '../support/node-red';
import { waitFor } from '../support/wait';
import { ensureKcat } from '../support/kcat';
import { dumpStoredBatches, readWithJavaConsumer, readWithKcat } from '../support/read-back';
import { sharedBroker } from '../support/shared-broker';

type Codec = Exclude<Compression, 'none'>;

/** The write side: a kafka-produce node with the codec, in the test helper's Node-RED, one msg per value. */
async function writeRecords(topic: string, codec: Codec, values: Buffer[]): Promise<void> {
  await deploy([
    tab(),
    brokerNode('broker1', sharedBroker().bootstrap),
    produceNode('produce1', { broker: 'broker1', topic, compression: codec }, ['out']),
    helperNode('out'),
  ]);
  const written = collect('out');
  await waitForStatus('produce1', 'connected', 30000, 'kafka-produce');
  const producer = getNode<{ receive(msg: unknown): void }>('produce1');
  for (const payload of values) producer.receive({ payload });
  await waitFor(() => written.length === values.length, 30000, `${values.length} ${codec} records written`);
}

/** Deterministic xorshift32 bytes, so a failure reproduces. */
function pseudoRandomBytes(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = 0x2545f491;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

const EVERY_BYTE = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
// Text and random bytes: several 64 KB lz4 blocks and 32 KB snappy blocks, some that compress and some not.
const LARGE = Buffer.concat([
  Buffer.from('{"sensor":"t1","reading":21.5}\n'.repeat(3000)),
  pseudoRandomBytes(80 * 1024),
  EVERY_BYTE,
]);
const VALUES: Buffer[] = [
  Buffer.from('first'),
  EVERY_BYTE,
  Buffer.alloc(0),
  LARGE,
  Buffer.from('line one\nline two\r\nback\\slash \\x41'),
  ...Array.from({ length: 20 }, (_, i) => Buffer.from(`{"n":${i},"text":"${'compressible '.repeat(10)}"}`)),
];

const CODECS: Codec[] = ['gzip', 'snappy', 'lz4', 'zstd'];
const writable = CODECS.filter((codec) => compressionProblem(codec) === undefined);

function shouldMatchValues(read: (Buffer | null)[]): void {
  should(read).have.length(VALUES.length);
  read.forEach((value, i) => {
    should(value).not.be.null();
    should(value!.equals(VALUES[i])).be.true(`value ${i} (${VALUES[i].length} bytes) differs`);
  });
}

describe('compression on write, read back by kcat and by the Java consumer', function () {
  const topics: Partial<Record<Codec, string>> = {};

  before(async function () {
    this.timeout(300000);
    await ensureKcat();
    for (const codec of writable) {
      const topic = await newTopic(`written-${codec}`);
      await startNodeRed();
      try {
        await writeRecords(topic, codec, VALUES);
      } finally {
        await stopNodeRed();
      }
      topics[codec] = topic;
    }
  });

  for (const codec of writable) {
    it(`kcat reads the ${codec} batch byte for byte`, async () => {
      shouldMatchValues(await readWithKcat(sharedBroker().bootstrap, topics[codec]!, VALUES.length));
    });

    it(`the Java consumer reads the ${codec} batch byte for byte`, async () => {
      shouldMatchValues(await readWithJavaConsumer(sharedBroker(), topics[codec]!, VALUES.length));
    });
  }

  it(`the broker stored every record in ${writable.join(', ')} batches, each with a valid CRC`, async () => {
    const stored = await dumpStoredBatches(sharedBroker(), Object.values(topics));
    for (const codec of writable) {
      const batches = stored[topics[codec]!];
      should(batches.reduce((sum, batch) => sum + batch.count, 0)).equal(VALUES.length);
      for (const batch of batches) should(batch).eql({ count: batch.count, compression: codec, valid: true });
    }
  });

  if (!writable.includes('zstd')) {
    it(`kafka-produce with zstd on Node.js ${process.version} says at deploy which version is needed`, async () => {
      await startNodeRed();
      try {
        await deploy([
          tab(),
          brokerNode('broker1', sharedBroker().bootstrap),
          produceNode('produce1', { broker: 'broker1', topic: 'unused', compression: 'zstd' }),
        ]);
        should(loggedBy('produce1', 'error')).eql([compressionProblem('zstd')]);
        should(lastStatusText('produce1')).equal('kafka-produce.status.invalid-settings');
      } finally {
        await stopNodeRed();
      }
    });
  }
});
