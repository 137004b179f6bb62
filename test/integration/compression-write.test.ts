// Records compressed by this package's codecs on write are read back, byte for byte, by kcat (librdkafka)
// and by Kafka's own Java consumer, and the broker's log shows the batches really carry each codec.
import { CompressionTypes, logLevel } from 'kafkajs';
import should from 'should';
import { compressionProblem, type ProduceCompression } from '../../src/kafka/codecs';
import { createKafkaClient } from '../../src/kafka/kafka-client';
import { newTopic } from '../support/kafka';
import { ensureKcat } from '../support/kcat';
import { dumpStoredBatches, readWithJavaConsumer, readWithKcat } from '../support/read-back';
import { testBroker } from './broker.hooks';

type Codec = Exclude<ProduceCompression, 'none'>;

const KAFKAJS_TYPES: Record<Codec, CompressionTypes> = {
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

/** The write side: a kafkajs producer from the package's own client, so the package's codecs encode. */
async function writeRecords(topic: string, codec: Codec, values: Buffer[]): Promise<void> {
  const kafka = createKafkaClient({
    brokers: [testBroker().bootstrap],
    log: { sink: { info: () => undefined, debug: () => undefined }, prefix: '', level: logLevel.NOTHING },
  });
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      compression: KAFKAJS_TYPES[codec],
      messages: values.map((value) => ({ value })),
    });
  } finally {
    await producer.disconnect();
  }
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
      await writeRecords(topic, codec, VALUES);
      topics[codec] = topic;
    }
  });

  for (const codec of writable) {
    it(`kcat reads the ${codec} batch byte for byte`, async () => {
      shouldMatchValues(await readWithKcat(testBroker().bootstrap, topics[codec]!, VALUES.length));
    });

    it(`the Java consumer reads the ${codec} batch byte for byte`, async () => {
      shouldMatchValues(await readWithJavaConsumer(testBroker(), topics[codec]!, VALUES.length));
    });
  }

  it(`the broker stored one ${writable.join(', ')} batch per topic, each with a valid CRC`, async () => {
    const stored = await dumpStoredBatches(testBroker(), Object.values(topics));
    for (const codec of writable) {
      should(stored[topics[codec]!]).eql([{ count: VALUES.length, compression: codec, valid: true }]);
    }
  });

  if (!writable.includes('zstd')) {
    it(`a zstd send fails on Node.js ${process.version}, saying which version is needed`, async () => {
      const topic = await newTopic('written-zstd');
      await should(writeRecords(topic, 'zstd', VALUES)).be.rejectedWith(compressionProblem('zstd')!);
    });
  }
});
