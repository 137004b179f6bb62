import { decompress as zstdDecompress } from 'fzstd';
import { toBuffer } from './bytes';
import type { CompressionCodec } from './codec';

export function zstdCodec(): CompressionCodec {
  return {
    // fzstd only decodes; kafkajs compresses only to produce, which this consumer-only package never does.
    compress: async () => {
      throw new Error('zstd compression is not supported by this package; it only decodes zstd');
    },
    decompress: async (buffer) => toBuffer(zstdDecompress(buffer)),
  };
}
