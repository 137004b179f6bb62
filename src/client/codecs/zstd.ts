// zstd. fzstd (pure JavaScript) decodes. There is no pure-JavaScript encoder to rely on, so encoding uses
// Node's own zstd, which only newer runtimes have.
import * as zlib from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { toBuffer } from './bytes';
import type { CompressionCodec } from './codec';

type ZstdCompress = (input: Buffer, callback: (error: Error | null, output: Buffer) => void) => void;

/** Node's zstd encoder, added in Node.js 23.8.0 and 22.15.0 (and missing from @types/node 20). */
const nodeZstdCompress = (zlib as { zstdCompress?: ZstdCompress }).zstdCompress;

/** Why this runtime cannot write zstd, or undefined when it can. */
export function zstdCompressionProblem(): string | undefined {
  if (nodeZstdCompress) return undefined;
  return (
    'zstd compression needs Node.js 22.15.0 or later (23.8.0 or later on Node.js 23); ' +
    `this is Node.js ${process.version}`
  );
}

export function zstdCodec(): CompressionCodec {
  return {
    compress: (encoder) => zstdCompress(encoder.buffer),
    decompress: async (buffer) => toBuffer(zstdDecompress(buffer)),
  };
}

function zstdCompress(input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (!nodeZstdCompress) {
      reject(new Error(zstdCompressionProblem()));
      return;
    }
    nodeZstdCompress(input, (error, output) => (error ? reject(error) : resolve(output)));
  });
}
