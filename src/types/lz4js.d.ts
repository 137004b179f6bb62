// lz4js ships no typings; only the block-level functions and its xxHash32 are used.
declare module 'lz4js' {
  export function compressBound(length: number): number;
  /**
   * Compresses src[start, start + length) into dst from index 0 and returns the compressed size, or 0 when it
   * found nothing to compress. hashTable (65536 entries) carries match candidates between calls.
   */
  export function compressBlock(
    src: Uint8Array,
    dst: Uint8Array,
    start: number,
    length: number,
    hashTable: Uint32Array,
  ): number;
  /**
   * Decodes src[start, start + length) into dst at dstIndex and returns the index after the decoded bytes.
   */
  export function decompressBlock(
    src: Uint8Array,
    dst: Uint8Array,
    start: number,
    length: number,
    dstIndex: number,
  ): number;
}

declare module 'lz4js/xxh32' {
  /** xxHash32 of src[start, start + length), as an unsigned 32-bit number. */
  export function hash(seed: number, src: Uint8Array, start: number, length: number): number;
}
