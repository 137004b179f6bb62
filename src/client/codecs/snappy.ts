// Snappy. Kafka's Java client writes snappy-java's "xerial" framing: an 8-byte magic, two 4-byte version
// fields, then blocks of (4-byte big-endian length, raw snappy). librdkafka writes a single raw snappy block
// instead. A raw block can never start with the magic (its first tag would be a copy from an empty output),
// so the magic decides.
import * as snappy from 'snappyjs';
import { joinChunks, requireBytes, uint32BE } from './bytes';
import type { CompressionCodec } from './codec';

export function snappyCodec(): CompressionCodec {
  return {
    compress: async (encoder) => snappyCompress(encoder.buffer),
    decompress: async (buffer) => snappyDecompress(buffer),
  };
}

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
/** Magic, then version 1 and minimum compatible version 1, as snappy-java writes them. */
const XERIAL_HEADER = Buffer.concat([XERIAL_MAGIC, uint32BE(1), uint32BE(1)]);
/** snappy-java's default block size. */
const XERIAL_BLOCK_SIZE = 32 * 1024;

/** Writes xerial framing, which Kafka's Java client reads natively and librdkafka detects. */
function snappyCompress(input: Buffer): Buffer {
  const parts: Uint8Array[] = [XERIAL_HEADER];
  for (let start = 0; start < input.length; start += XERIAL_BLOCK_SIZE) {
    const block = snappy.compress(input.subarray(start, start + XERIAL_BLOCK_SIZE));
    parts.push(uint32BE(block.length), block);
  }
  return Buffer.concat(parts);
}

function snappyDecompress(input: Buffer): Buffer {
  return startsWithXerialMagic(input, 0) ? decodeXerialBlocks(input) : decodeRawSnappy(input);
}

function startsWithXerialMagic(input: Buffer, offset: number): boolean {
  return input.subarray(offset, offset + XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

function decodeXerialBlocks(input: Buffer): Buffer {
  const blocks: Uint8Array[] = [];
  let offset = 0;
  while (offset < input.length) {
    // Headers: the first one, and those of concatenated streams, which snappy-java reads too.
    if (startsWithXerialMagic(input, offset)) {
      requireBytes(input, offset, XERIAL_HEADER.length, 'snappy: truncated xerial header');
      offset += XERIAL_HEADER.length;
      continue;
    }
    requireBytes(input, offset, 4, 'snappy: truncated xerial block length');
    const length = input.readUInt32BE(offset);
    requireBytes(input, offset + 4, length, 'snappy: truncated xerial block');
    blocks.push(decodeRawSnappy(input.subarray(offset + 4, offset + 4 + length)));
    offset += 4 + length;
  }
  return joinChunks(blocks);
}

function decodeRawSnappy(block: Buffer): Buffer {
  // A copy element of 3 bytes yields at most 64 bytes, so a larger declared length is corrupt; checking it
  // first avoids allocating whatever size a damaged header claims.
  return snappy.uncompress(block, Math.ceil((block.length * 64) / 3));
}
