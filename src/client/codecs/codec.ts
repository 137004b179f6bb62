/** The codec shape kafkajs expects (see kafkajs/src/protocol/message/compression/gzip.js). */
export interface CompressionCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}
