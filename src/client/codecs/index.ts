// kafkajs only ships gzip. These codecs let it read and write record batches compressed with snappy, lz4 or
// zstd, using pure-JavaScript libraries (and Node's own zstd encoder) so the package installs from the Node-RED
// palette without native builds.
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import type { Compression } from '../../settings/setting-rules';
import { lz4Codec } from './lz4-frame';
import { snappyCodec } from './snappy';
import { zstdCodec, zstdCompressionProblem } from './zstd';

export type { CompressionCodec } from './codec';

/** Installs the snappy, lz4 and zstd codecs into kafkajs's shared codec table. Safe to call repeatedly. */
export function registerCompressionCodecs(): void {
  CompressionCodecs[CompressionTypes.Snappy] = snappyCodec;
  CompressionCodecs[CompressionTypes.LZ4] = lz4Codec;
  CompressionCodecs[CompressionTypes.ZSTD] = zstdCodec;
}

/** Why this runtime cannot write `compression`, or undefined when it can: for a producer to check at deploy. */
export function compressionProblem(compression: Compression): string | undefined {
  return compression === 'zstd' ? zstdCompressionProblem() : undefined;
}
