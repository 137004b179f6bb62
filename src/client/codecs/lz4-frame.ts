// LZ4 frame format (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md), as Kafka uses it. lz4js
// provides block coding and xxHash32. The frame layer is written here because lz4js's own one writes linked
// blocks, which Kafka's Java reader rejects, and reads frames without bounds or checksum checks.
import * as lz4 from 'lz4js';
import { hash as xxh32 } from 'lz4js/xxh32';
import { joinChunks, requireBytes, uint32LE } from './bytes';
import type { CompressionCodec } from './codec';

export function lz4Codec(): CompressionCodec {
  return {
    compress: async (encoder) => lz4Compress(encoder.buffer),
    decompress: async (buffer) => lz4Decompress(buffer),
  };
}

const LZ4_MAGIC = 0x184d2204;
const LZ4_VERSION_MASK = 0xc0;
const LZ4_VERSION_01 = 0x40;
const LZ4_FLAG_BLOCK_INDEPENDENCE = 0x20;
const LZ4_FLAG_BLOCK_CHECKSUM = 0x10;
const LZ4_FLAG_CONTENT_SIZE = 0x08;
const LZ4_FLAG_CONTENT_CHECKSUM = 0x04;
const LZ4_FLAG_DICTIONARY_ID = 0x01;
/** High bit of a block's size field: the block is stored uncompressed. */
const LZ4_UNCOMPRESSED_BIT = 0x80000000;
/** lz4js hashes match candidates to 16 bits. */
const LZ4_HASH_TABLE_SIZE = 1 << 16;

/** Kafka's Java Lz4BlockOutputStream writes 64 KB blocks too. */
const LZ4_BLOCK_SIZE = 64 * 1024;
/**
 * Declared block maximum: 256 KB (id 5). lz4js may start a match 10 or 11 bytes before a block's end, but the
 * reference decoders (lz4, lz4-java) need 12 bytes of room before the declared maximum: a full 64 KB block
 * under a 64 KB maximum can fail to decode there, under 256 KB it always has the room.
 */
const LZ4_BLOCK_MAXIMUM_ID = 5;
const LZ4_FRAME_HEADER = lz4FrameHeader(
  LZ4_VERSION_01 | LZ4_FLAG_BLOCK_INDEPENDENCE,
  LZ4_BLOCK_MAXIMUM_ID << 4,
);

function lz4FrameHeader(flags: number, blockDescriptor: number): Buffer {
  const header = Buffer.from([0, 0, 0, 0, flags, blockDescriptor, 0]);
  header.writeUInt32LE(LZ4_MAGIC, 0);
  header[6] = (xxh32(0, header, 4, 2) >>> 8) & 0xff;
  return header;
}

function lz4Compress(input: Buffer): Buffer {
  const parts: Uint8Array[] = [LZ4_FRAME_HEADER];
  const scratch = new Uint8Array(lz4.compressBound(LZ4_BLOCK_SIZE));
  const hashTable = new Uint32Array(LZ4_HASH_TABLE_SIZE);
  for (let start = 0; start < input.length; start += LZ4_BLOCK_SIZE) {
    const length = Math.min(LZ4_BLOCK_SIZE, input.length - start);
    parts.push(...encodeLz4Block(input, start, length, scratch, hashTable));
  }
  parts.push(uint32LE(0)); // end mark
  return Buffer.concat(parts);
}

/** Returns the block's size field and payload. */
function encodeLz4Block(
  input: Buffer,
  start: number,
  length: number,
  scratch: Uint8Array,
  hashTable: Uint32Array,
): Uint8Array[] {
  // An empty hash table has no candidates from earlier blocks, which keeps this block independent.
  hashTable.fill(0);
  const size = lz4.compressBlock(input, scratch, start, length, hashTable);
  if (size === 0 || size >= length) {
    return [uint32LE(LZ4_UNCOMPRESSED_BIT + length), input.subarray(start, start + length)];
  }
  return [uint32LE(size), scratch.slice(0, size)];
}

interface Lz4Block {
  start: number;
  length: number;
  compressed: boolean;
}

interface Lz4Frame {
  maxBlockSize: number;
  blocks: Lz4Block[];
  /** Offset of the content checksum, when the frame has one. */
  contentChecksumAt?: number;
  /** Offset just past the frame. */
  end: number;
}

/** Decodes each frame in turn: Kafka writes one, and the lz4 tool also reads concatenated ones. */
function lz4Decompress(input: Buffer): Buffer {
  const frames: Uint8Array[] = [];
  let offset = 0;
  do {
    const frame = readLz4Frame(input, offset);
    frames.push(decodeLz4Frame(input, frame));
    offset = frame.end;
  } while (offset < input.length);
  return joinChunks(frames);
}

/** Parses and bounds-checks a frame's structure, verifying block checksums, without decoding anything. */
function readLz4Frame(input: Buffer, start: number): Lz4Frame {
  requireBytes(input, start, 7, 'lz4: truncated frame header');
  if (input.readUInt32LE(start) !== LZ4_MAGIC) throw new Error('lz4: not an LZ4 frame (bad magic number)');
  const flags = input[start + 4];
  const maxBlockSize = lz4MaxBlockSize(input[start + 5]);
  if ((flags & LZ4_VERSION_MASK) !== LZ4_VERSION_01) throw new Error('lz4: unsupported frame version');
  if (flags & LZ4_FLAG_DICTIONARY_ID) throw new Error('lz4: frames that need a dictionary are not supported');
  // The header checksum is not verified: Kafka before 0.10 computed it over the wrong bytes, and Kafka's own
  // reader skips it for those batches.
  let offset = start + 6 + (flags & LZ4_FLAG_CONTENT_SIZE ? 8 : 0) + 1;
  const blocks: Lz4Block[] = [];
  for (;;) {
    requireBytes(input, offset, 4, 'lz4: truncated block size');
    const sizeField = input.readUInt32LE(offset);
    offset += 4;
    if (sizeField === 0) break; // end mark
    const block = {
      start: offset,
      length: sizeField & ~LZ4_UNCOMPRESSED_BIT,
      compressed: sizeField < LZ4_UNCOMPRESSED_BIT,
    };
    if (block.length > maxBlockSize) throw new Error('lz4: block larger than the frame allows');
    requireBytes(input, offset, block.length, 'lz4: truncated block');
    offset += block.length;
    if (flags & LZ4_FLAG_BLOCK_CHECKSUM) {
      verifyLz4Checksum(input, offset, input.subarray(block.start, offset), 'block');
      offset += 4;
    }
    blocks.push(block);
  }
  const frame: Lz4Frame = { maxBlockSize, blocks, end: offset };
  if (flags & LZ4_FLAG_CONTENT_CHECKSUM) {
    requireBytes(input, offset, 4, 'lz4: truncated content checksum');
    frame.contentChecksumAt = offset;
    frame.end += 4;
  }
  return frame;
}

function lz4MaxBlockSize(blockDescriptor: number): number {
  const id = (blockDescriptor >> 4) & 0x07;
  if (id < 4) throw new Error('lz4: invalid maximum block size');
  return 1 << (8 + 2 * id); // ids 4..7 are 64 KB, 256 KB, 1 MB, 4 MB
}

function decodeLz4Frame(input: Buffer, frame: Lz4Frame): Uint8Array {
  // Decoding into one contiguous buffer lets linked blocks (lz4 -BD, lz4js) refer back into earlier blocks.
  const capacity = frame.blocks.reduce(
    (sum, block) => sum + (block.compressed ? frame.maxBlockSize : block.length),
    0,
  );
  const output = new Uint8Array(capacity);
  let size = 0;
  for (const block of frame.blocks) {
    size = block.compressed
      ? decodeLz4Block(input, block, output, size, frame.maxBlockSize)
      : copyLz4Block(input, block, output, size);
  }
  // A trimmed copy, so the records kafkajs slices from it do not pin the unused capacity.
  const content = size < capacity ? output.slice(0, size) : output;
  if (frame.contentChecksumAt !== undefined) {
    verifyLz4Checksum(input, frame.contentChecksumAt, content, 'content');
  }
  return content;
}

function decodeLz4Block(
  input: Buffer,
  block: Lz4Block,
  output: Uint8Array,
  at: number,
  maxBlockSize: number,
): number {
  const end = lz4.decompressBlock(input, output, block.start, block.length, at);
  // lz4js does not bound its writes; a block that decodes past its maximum is corrupt.
  if (end - at > maxBlockSize) throw new Error('lz4: corrupt block');
  return end;
}

function copyLz4Block(input: Buffer, block: Lz4Block, output: Uint8Array, at: number): number {
  output.set(input.subarray(block.start, block.start + block.length), at);
  return at + block.length;
}

function verifyLz4Checksum(input: Buffer, checksumAt: number, data: Uint8Array, what: string): void {
  requireBytes(input, checksumAt, 4, `lz4: truncated ${what} checksum`);
  if (xxh32(0, data, 0, data.length) !== input.readUInt32LE(checksumAt)) {
    throw new Error(`lz4: ${what} checksum mismatch`);
  }
}
