import * as zlib from 'node:zlib';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import * as lz4js from 'lz4js';
import should from 'should';
import {
  compressionProblem,
  registerCompressionCodecs,
  type CompressionCodec,
} from '../../src/client/codecs';

// kafkajs has no typings for its protocol internals; the wiring tests drive them the way a fetch does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { lookupCodecByAttributes } = require('kafkajs/src/protocol/message/compression') as {
  lookupCodecByAttributes: (attributes: number) => CompressionCodec | null;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const KafkajsDecoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => object;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const decodeRecordBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (
  decoder: object,
) => Promise<{ records: { key: Buffer; value: Buffer; timestamp: string }[] }>;

type CodecType = CompressionTypes.Snappy | CompressionTypes.LZ4 | CompressionTypes.ZSTD;
const CODEC_TYPES: CodecType[] = [CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD];

function codec(type: CodecType | CompressionTypes.GZIP): CompressionCodec {
  return CompressionCodecs[type]() as CompressionCodec;
}

const fromBase64 = (lines: string[]) => Buffer.from(lines.join(''), 'base64');

/** Deterministic xorshift32 bytes, so failures reproduce. */
function pseudoRandomBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

function textLines(length: number): Buffer {
  let text = '';
  for (let i = 0; text.length < length; i++)
    text += `record ${i}: {"sensor":"t${i % 7}","value":${i % 101}}\n`;
  return Buffer.from(text.slice(0, length));
}

const SAMPLES: Record<string, Buffer> = {
  empty: Buffer.alloc(0),
  '1 byte': Buffer.from('x'),
  '100 KB random': pseudoRandomBytes(100 * 1024, 0x2545f491),
  '100 KB text': textLines(100 * 1024),
  '300 KB random and text': Buffer.concat([pseudoRandomBytes(150 * 1024, 7), textLines(150 * 1024)]),
};

// What the lz4 and zstd vectors below decode to, written to repeated.txt for the tools with
//   python3 -c "import sys; sys.stdout.write('node-red-contrib-kafka-trigger\n' * 4000)" > repeated.txt
const REPEATED_TXT = Buffer.from('node-red-contrib-kafka-trigger\n'.repeat(4000));

// Record batches (magic v2) written by Kafka's Java client (kafka-clients 3.9.1 with snappy-java 1.1.10.5,
// lz4-java 1.8.0, zstd-jni 1.5.6-4): MemoryRecords.withRecords(Compression.of(type).build(), records) with
// records[i] = new SimpleRecord(1700000000000L + i, "key-" + i, "value " + i + " compressed with " + type),
// strings as UTF-8 bytes, for i in 0..2.
const JAVA_BATCHES: Record<string, { attributes: CodecType; batch: Buffer }> = {
  snappy: {
    attributes: CompressionTypes.Snappy,
    batch: fromBase64([
      'AAAAAAAAAAAAAACP/////wLHS69YAAIAAAACAAABi8/laAAAAAGLz+VoAv//////////////////AAAAA4JTTkFQUFkAAAAA',
      'AQAAAAEAAABKfrhSAAAACmtleS0wPHZhbHVlIDAgY29tcHJlc3NlZCB3aXRoIHNuYXBweQBSAAICCgEqADENKgAxZioABAQE',
      'BVQAMg0qADJeKgA=',
    ]),
  },
  lz4: {
    attributes: CompressionTypes.LZ4,
    batch: fromBase64([
      'AAAAAAAAAAAAAACL/////wL0v+/PAAMAAAACAAABi8/laAAAAAGLz+VoAv//////////////////AAAAAwQiTRhgQIJLAAAA',
      '8RxMAAAACmtleS0wNnZhbHVlIDAgY29tcHJlc3NlZCB3aXRoIGx6NABMAAICJwATMScAHzEnAAQhBAQnABMyJwAcMicAUCBs',
      'ejQAAAAAAA==',
    ]),
  },
  zstd: {
    attributes: CompressionTypes.ZSTD,
    batch: fromBase64([
      'AAAAAAAAAAAAAACA/////wJlApzlAAQAAAACAAABi8/laAAAAAGLz+VoAv//////////////////AAAAAyi1L/0AWBwCACQD',
      'TgAAAAprZXktMDh2YWx1ZSAwIGNvbXByZXNzZWQgd2l0aCB6c3RkAE4AAgIxMQQEMjIGAEAJyAtaBIABJ7gEVQYBAAA=',
    ]),
  },
};

// Raw snappy blocks from libsnappy: python3 -c "import snappy; print(snappy.compress(TEXT).hex())"
// with Debian's python3-snappy 0.5.3, TEXT being b'xerial block one: ' * 3 and b'and block two'.
const RAW_SNAPPY_ONE = Buffer.from('364478657269616c20626c6f636b206f6e653a208e1200', 'hex');
const RAW_SNAPPY_TWO = Buffer.from('0d30616e6420626c6f636b2074776f', 'hex');
// Magic "\x82SNAPPY\0", version 1, minimum compatible version 1.
const XERIAL_HEADER = Buffer.from('82534e4150505900' + '00000001' + '00000001', 'hex');

function xerialFrame(...blocks: Buffer[]): Buffer {
  return Buffer.concat([XERIAL_HEADER, ...blocks.flatMap((block) => [uint32BE(block.length), block])]);
}

function uint32BE(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

function uint32LE(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value);
  return bytes;
}

// Debian's lz4 1.9.4: lz4 -B4 -BD -BX --content-size -c repeated.txt | base64. 64 KB linked blocks with block
// checksums, content size and content checksum. The runs of '/' encode 0xff bytes: long LZ4 match lengths.
const LZ4_TOOL_FRAME = fromBase64([
  'BCJNGFxAYOQBAAAAAACJKgEAAP8Qbm9kZS1yZWQtY29udHJpYi1rYWZrYS10cmlnZ2VyCh8A////////////////////////////',
  '/'.repeat(300),
  '/////////////8lQZXIKbm9k9eFv7wAAAA/+////////////////////////////////////////////////////////////////',
  '/'.repeat(200),
  '//////////////////////////////////////////8tUGdnZXIKGrXb3AAAAAAq0J1v',
]);

// repeated.txt through Compression.lz4().build().wrapForOutput(out, RecordBatch.MAGIC_VALUE_V2), Kafka's Java
// Lz4BlockOutputStream (kafka-clients 3.9.1, lz4-java 1.8.0): two 64 KB blocks, no checksums.
const LZ4_JAVA_FRAME = fromBase64([
  'BCJNGGBAgioBAAD/EG5vZGUtcmVkLWNvbnRyaWIta2Fma2EtdHJpZ2dlcgofAP//////////////////////////////////////',
  '/'.repeat(300),
  '///JUGVyCm5vDwEAAP8QZGUtcmVkLWNvbnRyaWIta2Fma2EtdHJpZ2dlcgpubx8A////////////////////////////////////',
  '/'.repeat(200),
  '/////////////////////////////////////////////////////////////////////w5QZ2dlcgoAAAAA',
]);

// Debian's zstd 1.5.4: zstd -19 -c repeated.txt | base64. One frame with content size and checksum.
const ZSTD_TOOL_FRAME = fromBase64([
  'KLUv/aRg5AEARQEA+G5vZGUtcmVkLWNvbnRyaWIta2Fma2EtdHJpZ2dlcgoBAPuQi1w5Ab2bqc8=',
]);
// Two frames without content size, as zstd writes from a pipe:
//   (printf 'first frame\n' | zstd -c; printf 'second frame\n' | zstd -c) | base64
const ZSTD_TOOL_TWO_FRAMES = fromBase64([
  'KLUv/QRYYQAAZmlyc3QgZnJhbWUKDsLHKii1L/0EWGkAAHNlY29uZCBmcmFtZQqeOXOr',
]);

/** Decodes one LZ4 block with nothing before it, as a reader of independent blocks does. */
function decodeBlockAlone(payload: Buffer, stored: boolean): Buffer {
  if (stored) return payload;
  const output = Buffer.alloc(65536);
  return output.subarray(0, lz4js.decompressBlock(payload, output, 0, payload.length, 0));
}

describe('compression codecs', () => {
  before(() => registerCompressionCodecs());

  describe('registration', () => {
    it("fills kafkajs's snappy, lz4 and zstd entries, the same way each time, leaving gzip alone", () => {
      const gzip = CompressionCodecs[CompressionTypes.GZIP];
      const installed = CODEC_TYPES.map((type) => CompressionCodecs[type]);
      registerCompressionCodecs();
      should(CompressionCodecs[CompressionTypes.GZIP]).equal(gzip);
      for (const [i, type] of CODEC_TYPES.entries()) {
        should(CompressionCodecs[type]).equal(installed[i]);
        should(codec(type)).have.property('compress').which.is.a.Function();
        should(codec(type)).have.property('decompress').which.is.a.Function();
      }
    });

    it("is the table kafkajs's record batch decoder looks codecs up in", async () => {
      const snappyCodec = lookupCodecByAttributes(CompressionTypes.Snappy);
      should(snappyCodec).not.be.null();
      should((await snappyCodec!.decompress(RAW_SNAPPY_TWO)).toString()).equal('and block two');
    });

    for (const [name, { attributes, batch }] of Object.entries(JAVA_BATCHES)) {
      it(`lets kafkajs decode a ${name} record batch written by Kafka's Java client`, async () => {
        // The batch's attributes name the codec, so kafkajs really goes through it.
        should(batch.readInt16BE(21) & 0x07).equal(attributes);
        const { records } = await decodeRecordBatch(new KafkajsDecoder(batch));
        should(records.map((r) => [r.key.toString(), r.value.toString(), r.timestamp])).eql(
          [0, 1, 2].map((i) => [`key-${i}`, `value ${i} compressed with ${name}`, String(1700000000000 + i)]),
        );
      });
    }
  });

  describe('snappy', () => {
    const snappy = () => codec(CompressionTypes.Snappy);

    for (const [name, sample] of Object.entries(SAMPLES)) {
      it(`round-trips ${name}`, async () => {
        const compressed = await snappy().compress({ buffer: sample });
        should(Buffer.isBuffer(compressed)).be.true();
        should((await snappy().decompress(compressed)).equals(sample)).be.true();
      });
    }

    it('compresses to xerial framing in 32 KB blocks, as snappy-java does', async () => {
      const compressed = await snappy().compress({ buffer: SAMPLES['100 KB text'] });
      should(compressed.subarray(0, 16).equals(XERIAL_HEADER)).be.true();
      let blocks = 0;
      for (let offset = 16; offset < compressed.length; offset += 4 + compressed.readUInt32BE(offset))
        blocks++;
      should(blocks).equal(4);
    });

    it('decodes raw snappy from libsnappy (how librdkafka writes it)', async () => {
      should((await snappy().decompress(RAW_SNAPPY_ONE)).toString()).equal('xerial block one: '.repeat(3));
    });

    it('decodes every block of a xerial frame', async () => {
      const decoded = await snappy().decompress(xerialFrame(RAW_SNAPPY_ONE, RAW_SNAPPY_TWO, RAW_SNAPPY_TWO));
      should(decoded.toString()).equal('xerial block one: '.repeat(3) + 'and block two'.repeat(2));
    });

    it('decodes concatenated xerial streams, as snappy-java does', async () => {
      const decoded = await snappy().decompress(
        Buffer.concat([xerialFrame(RAW_SNAPPY_ONE), xerialFrame(), xerialFrame(RAW_SNAPPY_TWO)]),
      );
      should(decoded.toString()).equal('xerial block one: '.repeat(3) + 'and block two');
    });

    it('rejects damaged input with an Error', async () => {
      const frame = xerialFrame(RAW_SNAPPY_ONE, RAW_SNAPPY_TWO);
      await should(snappy().decompress(frame.subarray(0, frame.length - 1))).be.rejectedWith(
        /truncated xerial block/,
      );
      await should(snappy().decompress(frame.subarray(0, 18))).be.rejectedWith(
        /truncated xerial block length/,
      );
      await should(snappy().decompress(XERIAL_HEADER.subarray(0, 12))).be.rejectedWith(
        /truncated xerial header/,
      );
      const copyBeforeAnyOutput = Buffer.from([0x05, 0x09, 0x01]);
      await should(snappy().decompress(xerialFrame(copyBeforeAnyOutput))).be.rejectedWith(Error);
      await should(snappy().decompress(Buffer.alloc(0))).be.rejectedWith(Error);
    });

    it('rejects an impossible declared length before allocating it', async () => {
      // Declared length 2 GiB - 1 (varint), then a 2-byte literal.
      const liar = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x07, 0x04, 0x61, 0x62]);
      await should(snappy().decompress(liar)).be.rejectedWith(/too big/);
    });
  });

  describe('lz4', () => {
    const lz4 = () => codec(CompressionTypes.LZ4);

    for (const [name, sample] of Object.entries(SAMPLES)) {
      it(`round-trips ${name}`, async () => {
        const compressed = await lz4().compress({ buffer: sample });
        should(Buffer.isBuffer(compressed)).be.true();
        should((await lz4().decompress(compressed)).equals(sample)).be.true();
      });
    }

    it('compresses to a frame of 64 KB blocks that each decode on their own, as Kafka requires', async () => {
      const input = SAMPLES['300 KB random and text'];
      const compressed = await lz4().compress({ buffer: input });
      // Magic, FLG version 01 + block independence, BD 256 KB maximum, header checksum.
      should(compressed.subarray(0, 7).toString('hex')).equal('04224d186050fb');
      const stored: boolean[] = [];
      let offset = 7;
      for (let size = compressed.readUInt32LE(offset); size !== 0; size = compressed.readUInt32LE(offset)) {
        const payload = compressed.subarray(offset + 4, offset + 4 + (size & 0x7fffffff));
        const expected = input.subarray(stored.length * 65536, (stored.length + 1) * 65536);
        stored.push(size >= 0x80000000);
        should(decodeBlockAlone(payload, size >= 0x80000000).equals(expected)).be.true();
        offset += 4 + payload.length;
      }
      should(offset + 4).equal(compressed.length);
      should(stored).eql([true, true, false, false, false]); // random data does not compress
    });

    it('decodes the lz4 tool frame: linked blocks, block and content checksums, content size', async () => {
      should((await lz4().decompress(LZ4_TOOL_FRAME)).equals(REPEATED_TXT)).be.true();
    });

    it("decodes Kafka's Java frame with two blocks", async () => {
      should((await lz4().decompress(LZ4_JAVA_FRAME)).equals(REPEATED_TXT)).be.true();
    });

    it('decodes concatenated frames', async () => {
      const decoded = await lz4().decompress(Buffer.concat([LZ4_JAVA_FRAME, LZ4_TOOL_FRAME]));
      should(decoded.equals(Buffer.concat([REPEATED_TXT, REPEATED_TXT]))).be.true();
    });

    it('rejects damaged input with an Error', async () => {
      const flipped = (frame: Buffer, at: number) => {
        const copy = Buffer.from(frame);
        copy[at] ^= 0x01;
        return copy;
      };
      await should(lz4().decompress(flipped(LZ4_JAVA_FRAME, 0))).be.rejectedWith(/bad magic number/);
      await should(lz4().decompress(LZ4_JAVA_FRAME.subarray(0, 5))).be.rejectedWith(/truncated frame header/);
      await should(lz4().decompress(LZ4_JAVA_FRAME.subarray(0, 100))).be.rejectedWith(/truncated block/);
      await should(lz4().decompress(LZ4_JAVA_FRAME.subarray(0, -2))).be.rejectedWith(/truncated block size/);
      await should(lz4().decompress(flipped(LZ4_TOOL_FRAME, 40))).be.rejectedWith(/block checksum mismatch/);
      await should(lz4().decompress(flipped(LZ4_TOOL_FRAME, LZ4_TOOL_FRAME.length - 1))).be.rejectedWith(
        /content checksum mismatch/,
      );
      await should(lz4().decompress(flipped(LZ4_JAVA_FRAME, 4))).be.rejectedWith(/dictionary/);
      await should(lz4().decompress(flipped(LZ4_JAVA_FRAME, 9))).be.rejectedWith(
        /larger than the frame allows/,
      );
    });

    it('rejects a block that decodes to more than the maximum block size', async () => {
      // One literal, then a match of 15 + 255 * 300 + 4 bytes: past the frame's 64 KB maximum.
      const block = Buffer.concat([
        Buffer.from([0x1f, 0x61, 0x01, 0x00]),
        Buffer.alloc(300, 0xff),
        Buffer.from([0]),
      ]);
      const header = Buffer.from('04224d18604082', 'hex'); // as Kafka's Java client writes it
      const frame = Buffer.concat([header, uint32LE(block.length), block, uint32LE(0)]);
      await should(lz4().decompress(frame)).be.rejectedWith(/corrupt block/);
    });
  });

  describe('zstd', () => {
    const zstd = () => codec(CompressionTypes.ZSTD);

    it('decodes the zstd tool frame with content size and checksum', async () => {
      should((await zstd().decompress(ZSTD_TOOL_FRAME)).equals(REPEATED_TXT)).be.true();
    });

    it('decodes concatenated frames without content size', async () => {
      should((await zstd().decompress(ZSTD_TOOL_TWO_FRAMES)).toString()).equal('first frame\nsecond frame\n');
    });

    it('returns a Buffer', async () => {
      should(Buffer.isBuffer(await zstd().decompress(ZSTD_TOOL_FRAME))).be.true();
    });

    it('rejects damaged input with an Error', async () => {
      await should(zstd().decompress(ZSTD_TOOL_FRAME.subarray(0, 20))).be.rejectedWith(Error);
      await should(zstd().decompress(Buffer.from('not zstd at all'))).be.rejectedWith(Error);
    });
  });

  describe("gzip (kafkajs's own codec)", () => {
    const gzip = () => codec(CompressionTypes.GZIP);

    for (const [name, sample] of Object.entries(SAMPLES)) {
      it(`round-trips ${name}`, async () => {
        const compressed = await gzip().compress({ buffer: sample });
        should((await gzip().decompress(compressed)).equals(sample)).be.true();
      });
    }
  });

  describe('which compressions this runtime can write', () => {
    // Decided here the same way the codec decides, by the function's presence, not by version numbers.
    const runtimeHasZstd = typeof (zlib as { zstdCompress?: unknown }).zstdCompress === 'function';
    const zstd = () => codec(CompressionTypes.ZSTD);

    it('writes none, gzip, snappy and lz4 on any runtime', () => {
      for (const compression of ['none', 'gzip', 'snappy', 'lz4'] as const) {
        should(compressionProblem(compression)).be.undefined();
      }
    });

    if (runtimeHasZstd) {
      it(`writes zstd on Node.js ${process.version}`, () => {
        should(compressionProblem('zstd')).be.undefined();
      });

      for (const [name, sample] of Object.entries(SAMPLES)) {
        it(`round-trips ${name} through zstd (Node's encoder, fzstd's decoder)`, async () => {
          const compressed = await zstd().compress({ buffer: sample });
          should((await zstd().decompress(compressed)).equals(sample)).be.true();
        });
      }
    } else {
      const problem =
        'zstd compression needs Node.js 22.15.0 or later (23.8.0 or later on Node.js 23); ' +
        `this is Node.js ${process.version}`;

      it(`refuses zstd on Node.js ${process.version}, naming the version needed and this one`, () => {
        should(compressionProblem('zstd')).equal(problem);
      });

      it('fails a zstd compress with the same message', async () => {
        await should(zstd().compress({ buffer: Buffer.from('x') })).be.rejectedWith(problem);
      });
    }
  });

  describe('damaged input never crashes or hangs a decoder', () => {
    const cases: [string, CodecType, Buffer][] = [
      ['snappy', CompressionTypes.Snappy, xerialFrame(RAW_SNAPPY_ONE, RAW_SNAPPY_TWO)],
      ['lz4 (Java frame)', CompressionTypes.LZ4, LZ4_JAVA_FRAME],
      ['lz4 (tool frame)', CompressionTypes.LZ4, LZ4_TOOL_FRAME],
      ['zstd', CompressionTypes.ZSTD, ZSTD_TOOL_FRAME],
    ];

    for (const [name, type, valid] of cases) {
      it(`${name}: resolves to a Buffer or rejects with an Error`, async function () {
        // 500 decodes took 9 s for zstd with the CPU busy (mocha allows 10); a hang still fails.
        this.timeout(60000);
        const random = pseudoRandomBytes(3 * 500, 0x1234567);
        for (let i = 0; i < 500; i++) {
          const damaged = Buffer.from(valid.subarray(0, valid.length - (random[3 * i] % 4)));
          damaged[random[3 * i + 1] % damaged.length] ^= 1 << (random[3 * i + 2] % 8);
          await codec(type)
            .decompress(damaged)
            .then(
              (decoded) => should(Buffer.isBuffer(decoded)).be.true(),
              (error: unknown) => should(error).be.instanceOf(Error),
            );
        }
      });
    }
  });
});
