// The message formats against the real broker and a real Schema Registry (Apicurio, started by the
// harness in scripts/schema-registry), inside the test helper's Node-RED runtime.
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { NodeMessage } from 'node-red';
import should from 'should';
import type { LocalSchemaRegistry } from '../../scripts/schema-registry/local-schema-registry';
import { DEAD_LETTER_HEADERS } from '../../src/consumer/dead-letter';
import type { KafkaTriggerMessage } from '../../src/nodes/types';
import { brokerNode, catchWatcher, helperNode, produceNode, tab, triggerNode } from '../support/flows';
import { newTopic, produce, readRecords, uniqueName } from '../support/kafka';
import {
  collect,
  deploy,
  getNode,
  loggedBy,
  startNodeRed,
  stopNodeRed,
  waitForStatus,
} from '../support/node-red';
import { registerSchema, sharedSchemaRegistry } from '../support/schema-registry';
import { sharedBroker } from '../support/shared-broker';
import { waitFor } from '../support/wait';

const EVERY_BYTE = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const INVALID_UTF8 = [
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xff, 0xfe, 0xfd]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xed, 0xa0, 0x80]),
];

const USER_V1 = JSON.stringify({
  type: 'record',
  name: 'User',
  namespace: 'test.formats',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'age', type: 'int' },
  ],
});
// Version 2 adds a field with a default, so that version-1 readers and writers stay compatible.
const USER_V2 = JSON.stringify({
  type: 'record',
  name: 'User',
  namespace: 'test.formats',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'age', type: 'int' },
    { name: 'email', type: 'string', default: '' },
  ],
});
const ORDER_PROTO = `syntax = "proto3";
package test.formats;
message Order {
  string id = 1;
  int32 quantity = 2;
  repeated string items = 3;
}
`;
const READING_JSON_SCHEMA = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { sensor: { type: 'string' }, value: { type: 'number' } },
  required: ['sensor', 'value'],
});

interface CaughtMessage extends NodeMessage {
  error: { message: string };
}

/** The registry library as a second program would use it, writing Confluent wire-format values. */
function writerFor(registry: LocalSchemaRegistry): SchemaRegistry {
  return new SchemaRegistry({ host: registry.url });
}

/** Deploys broker1 (with the registry) and trigger1 → out; waits for connected unless told not to. */
async function deployFormatsTrigger(
  registry: LocalSchemaRegistry | undefined,
  props: Record<string, unknown>,
  waitForConnected = true,
): Promise<KafkaTriggerMessage[]> {
  await deploy([
    tab(),
    brokerNode('broker1', sharedBroker().bootstrap, registry ? { schema_registry_url: registry.url } : {}),
    triggerNode('trigger1', { broker: 'broker1', start_from: 'earliest', ...props }, ['out']),
    helperNode('out'),
  ]);
  const received = collect('out');
  if (waitForConnected) await waitForStatus('trigger1', 'connected');
  return received;
}

describe('message formats', function () {
  let registry: LocalSchemaRegistry;

  before(async function () {
    this.timeout(120000);
    registry = await sharedSchemaRegistry();
  });
  beforeEach(startNodeRed);
  afterEach(stopNodeRed);

  describe('kafka-trigger', () => {
    it('buffer: hands out values and keys byte for byte, all 256 byte values and invalid UTF-8', async () => {
      const topic = await newTopic('formats-buffer');
      const values = [EVERY_BYTE, ...INVALID_UTF8, Buffer.alloc(0)];
      await produce(
        topic,
        values.map((value, index) => ({ key: INVALID_UTF8[index % INVALID_UTF8.length], value })),
      );
      await produce(topic, [{ key: EVERY_BYTE, value: null }]);
      const received = await deployFormatsTrigger(undefined, {
        topic,
        message_format: 'buffer',
        key_format: 'buffer',
      });
      await waitFor(() => received.length === values.length + 1, 30000, 'every record');
      for (const [index, value] of values.entries()) {
        const { message, key } = received[index].payload;
        should(Buffer.isBuffer(message)).be.true();
        should((message as Buffer).equals(value)).be.true(`value ${index} differs`);
        should((key as Buffer).equals(INVALID_UTF8[index % INVALID_UTF8.length])).be.true(
          `key ${index} differs`,
        );
      }
      const last = received[values.length].payload;
      should(last.message).be.null();
      should((last.key as Buffer).equals(EVERY_BYTE)).be.true();
    });

    it('text: the value as a string, never parsed', async () => {
      const topic = await newTopic('formats-text');
      await produce(topic, [{ value: '{"a":1}' }, { value: '42' }, { value: 'plain' }]);
      const received = await deployFormatsTrigger(undefined, { topic, message_format: 'text' });
      await waitFor(() => received.length === 3, 30000, 'every record');
      should(received.map((msg) => msg.payload.message)).eql(['{"a":1}', '42', 'plain']);
    });

    it('schema-registry: decodes Avro (versions 1 and 2 of a subject), Protobuf and JSON Schema values', async () => {
      const topic = await newTopic('formats-registry');
      const writer = writerFor(registry);
      const avroV1 = await registerSchema(registry, `${topic}-avro`, USER_V1, 'AVRO');
      const avroV2 = await registerSchema(registry, `${topic}-avro`, USER_V2, 'AVRO');
      const proto = await registerSchema(registry, `${topic}-proto`, ORDER_PROTO, 'PROTOBUF');
      const json = await registerSchema(registry, `${topic}-json`, READING_JSON_SCHEMA, 'JSON');
      should(new Set([avroV1, avroV2, proto, json]).size).equal(4);
      const keyId = await registerSchema(registry, `${topic}-key`, '"string"', 'AVRO');
      await produce(topic, [
        {
          key: await writer.encode(keyId, 'user-1'),
          value: await writer.encode(avroV1, { id: 'u1', age: 30 }),
        },
        { value: await writer.encode(avroV2, { id: 'u2', age: 41, email: 'u2@example.test' }) },
        { value: await writer.encode(proto, { id: 'o1', quantity: 3, items: ['a', 'b'] }) },
        { value: await writer.encode(json, { sensor: 's1', value: 21.5 }) },
        { value: null },
      ]);
      const received = await deployFormatsTrigger(registry, {
        topic,
        message_format: 'schema-registry',
        key_format: 'schema-registry',
      });
      await waitFor(() => received.length === 5, 30000, 'every record');
      const messages = received.map((msg) => JSON.parse(JSON.stringify(msg.payload.message)) as unknown);
      should(messages).eql([
        { id: 'u1', age: 30 },
        { id: 'u2', age: 41, email: 'u2@example.test' },
        { id: 'o1', quantity: 3, items: ['a', 'b'] },
        { sensor: 's1', value: 21.5 },
        null,
      ]);
      should(received[0].payload.key).equal('user-1');
      should(received[1].payload.key).be.null();
      should(loggedBy('trigger1', 'error')).be.empty();
    });

    it('schema-registry: a record not in wire format, with an unknown id or that does not decode is passed over alone (hand-off)', async () => {
      const topic = await newTopic('formats-undecodable');
      const writer = writerFor(registry);
      const id = await registerSchema(registry, `${topic}-value`, USER_V1, 'AVRO');
      const good = (n: number) => writer.encode(id, { id: `u${n}`, age: n });
      const unknownId = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1, 2]);
      const broken = Buffer.concat([(await good(0)).subarray(0, 5), Buffer.from([0xff, 0xff, 0xff])]);
      await produce(topic, [
        { value: await good(1) },
        { value: Buffer.from('{"plain":"json"}') },
        { value: await good(2) },
        { value: unknownId },
        { value: broken },
        { value: await good(3) },
      ]);
      const received = await deployFormatsTrigger(registry, { topic, message_format: 'schema-registry' });
      await waitFor(
        () => received.length === 3 && loggedBy('trigger1', 'error').length === 3,
        30000,
        'records',
      );
      should(received.map((msg) => (msg.payload.message as { id: string }).id)).eql(['u1', 'u2', 'u3']);
      // The helper's runtime logs the trigger's message keys; the causes are the unit tests' (record-decoder).
      should(loggedBy('trigger1', 'error')).eql(
        Array(3).fill('kafka-trigger.errors.undecodable-passed-over'),
      );
    });

    it('schema-registry, complete delivery: an undecodable record lands in the dead-letter topic with its cause', async () => {
      const topic = await newTopic('formats-dead-letter');
      const deadLetters = await newTopic('formats-dead-letter-dlt');
      const writer = writerFor(registry);
      const id = await registerSchema(registry, `${topic}-value`, USER_V1, 'AVRO');
      await produce(topic, [
        { value: await writer.encode(id, { id: 'u1', age: 1 }) },
        { key: 'bad', value: Buffer.from('not wire format') },
        { value: await writer.encode(id, { id: 'u2', age: 2 }) },
      ]);
      const received = await deployFormatsTrigger(registry, {
        topic,
        message_format: 'schema-registry',
        delivery: 'complete',
        dead_letter_topic: deadLetters,
      });
      await waitFor(() => received.length === 2, 30000, 'the decodable records');
      const [dead] = await readRecords(deadLetters, 1);
      should(dead.value!.toString()).equal('not wire format');
      should(dead.key!.toString()).equal('bad');
      should(String(dead.headers[DEAD_LETTER_HEADERS.error])).match(
        /cannot decode the value: it is not in the Schema Registry wire format/,
      );
      should(String(dead.headers[DEAD_LETTER_HEADERS.offset])).equal('1');
    });

    it('schema-registry: waits out a registry that is down at deploy, and one that goes down mid-stream; nothing is skipped', async function () {
      this.timeout(180000);
      const topic = await newTopic('formats-registry-down');
      const writer = writerFor(registry);
      const subject = `${topic}-value`;
      const v1 = await registerSchema(registry, subject, USER_V1, 'AVRO');
      const v2 = await registerSchema(registry, subject, USER_V2, 'AVRO');
      const first = await Promise.all([1, 2, 3].map((n) => writer.encode(v1, { id: `a${n}`, age: n })));
      const second = await Promise.all(
        [4, 5, 6].map((n) => writer.encode(v2, { id: `b${n}`, age: n, email: '' })),
      );
      await produce(
        topic,
        first.map((value) => ({ value })),
      );

      await registry.stop();
      try {
        const received = await deployFormatsTrigger(
          registry,
          { topic, message_format: 'schema-registry' },
          false,
        );
        await waitForStatus('trigger1', 'registry-unavailable', 60000);
        should(received).be.empty();
        await registry.start();
        await waitFor(() => received.length === 3, 90000, 'the records that waited for the registry');

        // Version 2's schema is not fetched yet: with the registry down, its records wait.
        const unavailable = () =>
          loggedBy('trigger1', 'warn').filter((text) => text === 'kafka-trigger.errors.registry-unavailable');
        const warnedBefore = unavailable().length;
        await registry.stop();
        await produce(
          topic,
          second.map((value) => ({ value })),
        );
        await waitForStatus('trigger1', 'registry-unavailable', 60000);
        // Two failed look-ups of this outage, each reported as it fails: the records were there to
        // decode twice and still wait.
        await waitFor(() => unavailable().length >= warnedBefore + 2, 60000, 'a second failed look-up');
        should(received).have.length(3);
        await registry.start();
        await waitFor(() => received.length === 6, 90000, 'the records after the second outage');
        should(received.map((msg) => (msg.payload.message as { id: string }).id)).eql([
          'a1',
          'a2',
          'a3',
          'b4',
          'b5',
          'b6',
        ]);
        should(received.map((msg) => msg.payload.offset)).eql([0, 1, 2, 3, 4, 5]);
        await waitForStatus('trigger1', 'connected');
        should(loggedBy('trigger1', 'warn')).containEql('kafka-trigger.errors.registry-unavailable');
      } finally {
        if (registry.pid === undefined) await registry.start();
      }
    });
  });

  describe('kafka-produce with the schema-registry format', () => {
    it('round trip: kafka-produce encodes with the latest schema, kafka-trigger gives back the same object; a payload that does not match fails alone', async () => {
      const topic = await newTopic('formats-round-trip');
      await registerSchema(registry, `${topic}-value`, USER_V1, 'AVRO');
      const latest = await registerSchema(registry, `${topic}-value`, USER_V2, 'AVRO');
      await deploy([
        tab(),
        brokerNode('broker1', sharedBroker().bootstrap, { schema_registry_url: registry.url }),
        produceNode('produce1', { broker: 'broker1', topic, message_format: 'schema-registry' }, ['written']),
        helperNode('written'),
        ...catchWatcher('catch1', ['produce1'], 'caught'),
        triggerNode(
          'trigger1',
          { broker: 'broker1', topic, start_from: 'earliest', message_format: 'schema-registry' },
          ['out'],
        ),
        helperNode('out'),
      ]);
      const written = collect('written');
      const caught = collect<CaughtMessage>('caught');
      const received = collect('out');
      await waitForStatus('produce1', 'connected', 30000, 'kafka-produce');
      const users = [
        { id: 'r1', age: 7, email: 'r1@example.test' },
        { id: 'r2', age: 8, email: '' },
      ];
      const input = getNode<{ receive(msg: unknown): void }>('produce1');
      input.receive({ payload: users[0] });
      input.receive({ payload: { id: 'bad', age: 'not a number' } });
      input.receive({ payload: users[1] });
      await waitFor(() => received.length === 2 && caught.length === 1, 60000, 'the round trip');
      should(written).have.length(2);
      should(received.map((msg) => JSON.parse(JSON.stringify(msg.payload.message)) as unknown)).eql(users);
      should(caught[0].error.message).match(
        new RegExp(`topic ${topic}: the payload does not match subject "${topic}-value"`),
      );
      should(caught[0].error.message).match(/age/);
      // The stored bytes carry the latest schema's id in Confluent's wire format.
      const [stored] = await readRecords(topic, 1);
      should(stored.value![0]).equal(0);
      should(stored.value!.readInt32BE(1)).equal(latest);
    });

    it('fails a msg at its send timeout while the registry is away, naming the cause', async function () {
      this.timeout(120000);
      const topic = await newTopic('formats-produce-down');
      const subject = uniqueName('formats-subject');
      await registerSchema(registry, subject, USER_V1, 'AVRO');
      await registry.stop();
      try {
        await deploy([
          tab(),
          brokerNode('broker1', sharedBroker().bootstrap, { schema_registry_url: registry.url }),
          produceNode(
            'produce1',
            {
              broker: 'broker1',
              topic,
              message_format: 'schema-registry',
              schema_subject: subject,
              send_timeout: 3000,
            },
            ['written'],
          ),
          helperNode('written'),
          ...catchWatcher('catch1', ['produce1'], 'caught'),
        ]);
        const caught = collect<CaughtMessage>('caught');
        getNode<{ receive(msg: unknown): void }>('produce1').receive({ payload: { id: 'x', age: 1 } });
        await waitFor(() => caught.length === 1, 30000, 'the failed msg');
        should(caught[0].error.message).match(
          new RegExp(`Cannot encode the msg for topic ${topic}: .*ECONNREFUSED`),
        );
      } finally {
        await registry.start();
      }
    });
  });
});
