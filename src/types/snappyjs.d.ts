// snappyjs ships no typings. It returns the same kind of container it is given; this package only passes
// Buffers.
declare module 'snappyjs' {
  /** Raw snappy block, no framing. */
  export function compress(uncompressed: Buffer): Buffer;
  /** Throws when the declared uncompressed length exceeds maxLength. */
  export function uncompress(compressed: Buffer, maxLength?: number): Buffer;
}
