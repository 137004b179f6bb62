import type { KafkaMessage } from 'kafkajs';
import type { KeyFormat, MessageFormat } from '../settings/setting-rules';
import { wireSchemaId, type SchemaRegistryClient } from './schema-registry';
import { decodeHeaders, decodeValue, type TriggerData } from './trigger-data';
import type { RecordFormats } from '../settings/trigger-settings';

/** A record's value or key that its format cannot decode: that record fails, consumption goes on. */
export class UndecodableRecord extends Error {
  constructor(part: 'value' | 'key', cause: string) {
    super(`cannot decode the ${part}: ${cause}`);
    this.name = 'UndecodableRecord';
  }
}

type Decode = (bytes: Buffer | null) => unknown;

/**
 * Turns records into trigger data with the trigger's formats. The decode functions are picked once,
 * so the per-record path of the default formats is what it always was. With the schema-registry
 * format, prepare() fetches the schemas a batch names before its records are decoded, one at a
 * time and synchronously.
 */
export class RecordDecoder {
  private readonly decodeMessage: Decode;
  private readonly decodeKey: Decode;
  private readonly usesRegistry: boolean;

  constructor(
    private readonly formats: RecordFormats,
    private readonly registry: SchemaRegistryClient | undefined,
  ) {
    this.decodeMessage = this.valueDecoder(formats.message);
    this.decodeKey = this.keyDecoder(formats.key);
    this.usesRegistry = formats.message === 'schema-registry' || formats.key === 'schema-registry';
  }

  /** Fetches the schemas that the batch's records name and are not known yet; rejects while the registry is away. */
  async prepare(records: KafkaMessage[]): Promise<void> {
    if (!this.usesRegistry || !this.registry) return;
    const ids = new Set<number>();
    for (const record of records) {
      if (this.formats.message === 'schema-registry') addSchemaId(ids, record.value);
      if (this.formats.key === 'schema-registry') addSchemaId(ids, record.key);
    }
    await this.registry.load(ids);
  }

  /** The trigger data of one record; throws UndecodableRecord when its value or key does not decode. */
  triggerData(topic: string, partition: number, record: KafkaMessage, processedAt: string): TriggerData {
    return {
      topic,
      partition,
      offset: Number(record.offset),
      timestamp: processedAt,
      key: this.decodeKey(record.key),
      message: this.decodeMessage(record.value),
      headers: decodeHeaders(record.headers),
    };
  }

  private valueDecoder(format: MessageFormat): Decode {
    switch (format) {
      case 'auto':
        return decodeValue;
      case 'text':
        return (bytes) => (bytes ? bytes.toString('utf8') : null);
      case 'buffer':
        return copyBytes;
      case 'schema-registry':
        return (bytes) => (bytes && bytes.length > 0 ? this.decodeWithSchema(bytes, 'value') : null);
    }
  }

  private keyDecoder(format: KeyFormat): Decode {
    switch (format) {
      case 'text':
        return (bytes) => (bytes ? bytes.toString('utf8') : '');
      case 'buffer':
        return copyBytes;
      case 'schema-registry':
        return (bytes) => (bytes && bytes.length > 0 ? this.decodeWithSchema(bytes, 'key') : null);
    }
  }

  private decodeWithSchema(bytes: Buffer, part: 'value' | 'key'): unknown {
    const id = wireSchemaId(bytes);
    if (id === undefined) {
      throw new UndecodableRecord(
        part,
        'it is not in the Schema Registry wire format (magic byte 0 and a schema id)',
      );
    }
    const schema = this.registry?.schema(id);
    if (!schema) throw new UndecodableRecord(part, `schema id ${id} is not in the Schema Registry`);
    try {
      return plainValue(schema.fromBuffer(bytes.subarray(5)));
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error);
      throw new UndecodableRecord(part, `it does not match schema id ${id}: ${cause}`);
    }
  }
}

/** A batch's records that decode, with their trigger data, and those that do not, with why. */
export interface DecodedBatch {
  data: TriggerData[];
  records: KafkaMessage[];
  undecodable: { record: KafkaMessage; error: unknown }[];
}

/** Decodes records of one partition for one batch msg; an undecodable record is left out of it. */
export function decodeBatch(
  decoder: RecordDecoder,
  topic: string,
  partition: number,
  records: KafkaMessage[],
  processedAt: string,
): DecodedBatch {
  const batch: DecodedBatch = { data: [], records: [], undecodable: [] };
  for (const record of records) {
    try {
      batch.data.push(decoder.triggerData(topic, partition, record, processedAt));
      batch.records.push(record);
    } catch (error) {
      batch.undecodable.push({ record, error });
    }
  }
  return batch;
}

function addSchemaId(ids: Set<number>, bytes: Buffer | null): void {
  const id = bytes ? wireSchemaId(bytes) : undefined;
  if (id !== undefined) ids.add(id);
}

/**
 * A copy of the bytes: kafkajs hands out views of the whole fetch response, which a msg kept by the
 * flow would otherwise keep alive, and which a node that writes into its payload would corrupt.
 */
function copyBytes(bytes: Buffer | null): Buffer | null {
  return bytes ? Buffer.from(bytes) : null;
}

/** A decoded Protobuf message as a plain object (enums by name, 64-bit integers as numbers), others as they are. */
function plainValue(value: unknown): unknown {
  const type = (value as { $type?: { toObject?: unknown } } | null)?.$type;
  if (type && typeof type.toObject === 'function') {
    return (type.toObject as (message: unknown, options: object) => unknown)(value, {
      enums: String,
      longs: Number,
      defaults: true,
    });
  }
  return value;
}
