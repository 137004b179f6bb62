// Byte helpers shared by the codecs.

/** Views the bytes as a Buffer without copying; kafkajs's decoder needs Buffer methods. */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function joinChunks(chunks: Uint8Array[]): Buffer {
  return chunks.length === 1 ? toBuffer(chunks[0]) : Buffer.concat(chunks);
}

export function requireBytes(input: Buffer, offset: number, length: number, message: string): void {
  if (offset + length > input.length) throw new Error(message);
}

export function uint32BE(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

export function uint32LE(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value);
  return bytes;
}
