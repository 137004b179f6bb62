import should from 'should';
import type { KafkaMessage } from 'kafkajs';
import { RecordDecoder, UndecodableRecord } from '../../src/formats/record-decoder';
import {
  encodeWire,
  RegistryUnavailable,
  type RegisteredSchema,
  type SchemaRegistryClient,
} from '../../src/formats/schema-registry';
import type { RecordFormats } from '../../src/settings/trigger-settings';

const AT = '2024-06-18T05:09:00Z';
const EVERY_BYTE = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const INVALID_UTF8 = Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x80]);

function record(fields: Partial<KafkaMessage>): KafkaMessage {
  return {
    key: null,
    value: null,
    timestamp: '0',
    attributes: 0,
    offset: '7',
    headers: {},
    ...fields,
  } as KafkaMessage;
}

function decoder(formats: Partial<RecordFormats>, registry?: SchemaRegistryClient): RecordDecoder {
  return new RecordDecoder({ message: 'auto', key: 'text', ...formats }, registry);
}

/**
 * The decoder's side of a registry: ids it knows, each "schema" reading JSON text, and a switch
 * for an outage. The real registry is in the integration tests; this checks the decoder's rules.
 */
function registryOf(known: number[]) {
  const loaded: number[][] = [];
  let away = false;
  const schemas = new Map<number, RegisteredSchema>();
  const client = {
    schema: (id: number) => schemas.get(id),
    async load(ids: Iterable<number>) {
      const wanted = [...ids];
      loaded.push(wanted);
      if (away) throw new RegistryUnavailable(new Error('connect ECONNREFUSED'));
      for (const id of wanted) {
        if (!known.includes(id)) continue;
        schemas.set(id, {
          fromBuffer: (payload: Buffer) => {
            const parsed: unknown = JSON.parse(payload.toString('utf8'));
            return { id, parsed };
          },
          toBuffer: () => Buffer.alloc(0),
          isValid: () => true,
        });
      }
    },
  };
  return {
    client: client as unknown as SchemaRegistryClient,
    loaded,
    goAway: () => (away = true),
  };
}

describe('record decoder', () => {
  describe('auto and text (the trigger-data rule)', () => {
    it('builds the documented trigger-data shape', () => {
      const data = decoder({}).triggerData(
        'user-events',
        3,
        record({
          key: Buffer.from('user-123'),
          value: Buffer.from('{"event_type":"login"}'),
          headers: { 'content-type': Buffer.from('application/json') },
        }),
        AT,
      );
      should(data).eql({
        topic: 'user-events',
        partition: 3,
        offset: 7,
        timestamp: AT,
        key: 'user-123',
        message: { event_type: 'login' },
        headers: { 'content-type': 'application/json' },
      });
    });

    it('gives "" for a record without a key', () => {
      should(decoder({}).triggerData('t', 0, record({}), AT).key).equal('');
    });

    it('text keeps the value a string, never parsed; an empty value is ""', () => {
      const text = decoder({ message: 'text' });
      should(text.triggerData('t', 0, record({ value: Buffer.from('{"a":1}') }), AT).message).equal(
        '{"a":1}',
      );
      should(text.triggerData('t', 0, record({ value: Buffer.alloc(0) }), AT).message).equal('');
      should(text.triggerData('t', 0, record({ value: null }), AT).message).be.null();
    });
  });

  describe('buffer', () => {
    it('hands out every byte value and invalid UTF-8 untouched, in a copy', () => {
      const value = Buffer.concat([EVERY_BYTE, INVALID_UTF8]);
      const data = decoder({ message: 'buffer', key: 'buffer' }).triggerData(
        't',
        0,
        record({ key: INVALID_UTF8, value }),
        AT,
      );
      should(Buffer.isBuffer(data.message)).be.true();
      should((data.message as Buffer).equals(value)).be.true();
      should((data.key as Buffer).equals(INVALID_UTF8)).be.true();
      (data.message as Buffer)[0] = 0x7f;
      should(value[0]).equal(0);
    });

    it('keeps a tombstone null and an empty value empty; no key is null', () => {
      const buffer = decoder({ message: 'buffer', key: 'buffer' });
      should(buffer.triggerData('t', 0, record({ value: null }), AT).message).be.null();
      should(
        (buffer.triggerData('t', 0, record({ value: Buffer.alloc(0) }), AT).message as Buffer).length,
      ).equal(0);
      should(buffer.triggerData('t', 0, record({}), AT).key).be.null();
    });
  });

  describe('schema-registry', () => {
    const wire = (id: number, value: unknown) => encodeWire(id, Buffer.from(JSON.stringify(value)));

    it('fetches each schema id a batch names once, for values and keys', async () => {
      const registry = registryOf([1, 2]);
      const decode = decoder({ message: 'schema-registry', key: 'schema-registry' }, registry.client);
      const records = [
        record({ key: wire(2, 'k'), value: wire(1, { a: 1 }) }),
        record({ value: wire(1, { a: 2 }) }),
        record({ value: Buffer.from('not wire format') }),
      ];
      await decode.prepare(records);
      should(registry.loaded).eql([[1, 2]]);
      should(decode.triggerData('t', 0, records[0], AT)).match({
        key: { id: 2, parsed: 'k' },
        message: { id: 1, parsed: { a: 1 } },
      });
      should(decode.triggerData('t', 0, records[1], AT).key).be.null();
    });

    it('fails a record that is not in wire format, names an unknown id, or does not decode', async () => {
      const registry = registryOf([1]);
      const decode = decoder({ message: 'schema-registry' }, registry.client);
      const records = [
        record({ value: Buffer.from('{"plain":"json"}') }),
        record({ value: wire(99, {}) }),
        record({ value: encodeWire(1, Buffer.from('{broken')) }),
      ];
      await decode.prepare(records);
      should(() => decode.triggerData('t', 0, records[0], AT)).throw(UndecodableRecord, {
        message: /not in the Schema Registry wire format/,
      });
      should(() => decode.triggerData('t', 0, records[1], AT)).throw(UndecodableRecord, {
        message: /schema id 99 is not in the Schema Registry/,
      });
      should(() => decode.triggerData('t', 0, records[2], AT)).throw(UndecodableRecord, {
        message: /does not match schema id 1/,
      });
    });

    it('keeps a tombstone null without asking the registry', async () => {
      const registry = registryOf([]);
      const decode = decoder({ message: 'schema-registry' }, registry.client);
      await decode.prepare([record({ value: null })]);
      should(registry.loaded).eql([[]]);
      should(decode.triggerData('t', 0, record({ value: null }), AT).message).be.null();
    });

    it('rejects prepare() while the registry is away, so that the batch waits', async () => {
      const registry = registryOf([1]);
      registry.goAway();
      const decode = decoder({ message: 'schema-registry' }, registry.client);
      await should(decode.prepare([record({ value: wire(1, {}) })])).be.rejectedWith(RegistryUnavailable);
    });

    it('does not call the registry for the other formats', async () => {
      const registry = registryOf([1]);
      await decoder({ message: 'buffer' }, registry.client).prepare([record({ value: wire(1, {}) })]);
      should(registry.loaded).be.empty();
    });
  });
});
