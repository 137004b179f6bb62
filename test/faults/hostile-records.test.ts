// Fault 5: hostile records. Each must come out as a msg in the documented trigger-data shape and
// must not stop the consumer: a normal marker record written after it still arrives. The trigger
// is wired to two helper nodes, so Node-RED also clones every msg (RED.util.cloneMessage).
import should from 'should';
import type { IHeaders, Producer } from 'kafkajs';
import type { KafkaTriggerMessage } from '../../src/nodes/types';
import { uniqueName } from '../support/kafka';
import { impatientKafka, printFigures, withFaultAdmin } from '../support/faults';
import { brokerNode, helperNode, tab, triggerNode } from '../support/flows';
import {
  collect,
  deploy,
  loggedBy,
  statusCalls,
  startNodeRed,
  stopNodeRed,
  waitForStatus,
} from '../support/node-red';
import { waitFor } from '../support/wait';
import { produceWithKcat, ensureKcat } from '../support/kcat';
import { sharedBroker } from '../support/shared-broker';
import { MAX_MESSAGE_BYTES } from './faults.hooks';

const MiB = 1024 * 1024;
const NESTING = 10000;
const LONG_TOPIC = `hostile-${'t'.repeat(249 - 'hostile-'.length - 9)}-${Math.random().toString(16).slice(2, 10)}`;

interface Hostile {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: IHeaders;
}

function depthOf(value: unknown): number {
  let depth = 0;
  let current = value;
  while (Array.isArray(current)) {
    depth += 1;
    current = current[0];
  }
  return depth;
}

describe('fault: hostile records', function () {
  this.timeout(120000);
  let topic = '';
  let producer: Producer;
  let first: KafkaTriggerMessage[] = [];
  let second: KafkaTriggerMessage[] = [];
  let longTopicOut: KafkaTriggerMessage[] = [];
  let markers = 0;
  const outcomes: Record<string, string> = {};

  before(async () => {
    await ensureKcat();
    const broker = sharedBroker();
    topic = uniqueName('hostile');
    await withFaultAdmin(broker, async (admin) => {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            numPartitions: 1,
            configEntries: [{ name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES) }],
          },
          { topic: LONG_TOPIC, numPartitions: 1 },
        ],
      });
    });
    producer = impatientKafka(broker, 'hostile-producer').producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await startNodeRed();
    await deploy([
      tab(),
      brokerNode('broker1', broker.bootstrap),
      triggerNode('trigger1', { broker: 'broker1', topic, consumer_group: uniqueName('hostile-group') }, [
        'first',
        'second',
      ]),
      triggerNode(
        'trigger2',
        { broker: 'broker1', topic: LONG_TOPIC, consumer_group: uniqueName('hostile-long') },
        ['long'],
      ),
      helperNode('first'),
      helperNode('second'),
      helperNode('long'),
    ]);
    first = collect('first');
    second = collect('second');
    longTopicOut = collect('long');
    await waitForStatus('trigger1', 'connected');
    await waitForStatus('trigger2', 'connected');
  });

  after(async () => {
    printFigures('hostile-records', outcomes);
    await producer?.disconnect();
    await stopNodeRed();
  });

  /**
   * Writes the hostile record and then a marker; resolves with what each helper node got for the
   * hostile record once the marker has reached the first helper (the consumer kept going).
   */
  async function send(
    name: string,
    record: Hostile | (() => Promise<void>),
  ): Promise<{ atFirst: KafkaTriggerMessage[]; atSecond: KafkaTriggerMessage[] }> {
    const marker = ++markers;
    const markerRecord = { value: JSON.stringify({ marker }) };
    let offset: number;
    if (typeof record === 'function') {
      // One partition and one writer at a time: the record lands at the current end of the log.
      const [end] = await withFaultAdmin(sharedBroker(), (admin) => admin.fetchTopicOffsets(topic));
      offset = Number(end.high);
      await record();
      await producer.send({ topic, acks: -1, messages: [markerRecord] });
    } else {
      const [sent] = await producer.send({
        topic,
        acks: -1,
        messages: [record, markerRecord],
      });
      offset = Number(sent.baseOffset);
    }
    const isMarker = (msg: KafkaTriggerMessage): boolean =>
      (msg.payload.message as { marker?: number } | null)?.marker === marker;
    try {
      await waitFor(() => first.some(isMarker), 45000, `the marker after ${name}`);
    } catch (error) {
      const copies = first.filter((msg) => msg.payload.offset === offset).length;
      const warnings = loggedBy('trigger1', 'warn');
      outcomes[name] =
        `consumer-stalled(first:${copies},retry_warnings:${warnings.length},statuses:${statusCalls('trigger1').length})`;
      console.log(`${name}: the trigger's warnings: ${JSON.stringify(warnings.slice(0, 3))}`);
      console.log(
        `${name}: the trigger's statuses: ${JSON.stringify(statusCalls('trigger1').map((s) => s.text))}`,
      );
      throw error;
    }
    // The second helper gets its copy a moment later, if cloning it worked.
    await waitFor(() => second.some(isMarker), 5000, `the marker at the second helper after ${name}`).catch(
      () => undefined,
    );
    const atFirst = first.filter((msg) => msg.payload.offset === offset);
    const atSecond = second.filter((msg) => msg.payload.offset === offset);
    outcomes[name] = `first:${atFirst.length},second:${atSecond.length}`;
    return { atFirst, atSecond };
  }

  function shape(
    msg: KafkaTriggerMessage | undefined,
    expectedTopic = topic,
  ): KafkaTriggerMessage['payload'] {
    should.exist(msg);
    const payload = msg!.payload;
    should(Object.keys(payload).sort()).eql(
      ['headers', 'key', 'message', 'offset', 'partition', 'timestamp', 'topic'].sort(),
    );
    should(payload.topic).equal(expectedTopic);
    should(msg!.topic).equal(expectedTopic);
    should(payload.partition).equal(0);
    should(payload.timestamp).match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    should(typeof payload.key).equal('string');
    should(typeof payload.headers).equal('object');
    return payload;
  }

  it('invalid UTF-8 bytes become raw_message text with replacement characters', async () => {
    const { atFirst, atSecond } = await send('invalid-utf8', {
      value: Buffer.from([0xff, 0xfe, 0x80, 0x41]),
    });
    should(shape(atFirst[0]).message).eql({ raw_message: '\ufffd\ufffd\ufffdA' });
    should(atSecond).have.length(1);
  });

  for (const size of [1, 8]) {
    it(`a ${size} MiB value arrives whole`, async () => {
      const text = 'x'.repeat(size * MiB - 2);
      const { atFirst, atSecond } = await send(`value-${size}mib`, { value: `"${text}"` });
      should(shape(atFirst[0]).message).equal(text);
      should(atSecond).have.length(1);
    });
  }

  it('a null value gives message null', async () => {
    const { atFirst } = await send('null-value', { key: 'tombstone', value: null });
    const payload = shape(atFirst[0]);
    should(payload.message).be.null();
    should(payload.key).equal('tombstone');
  });

  it('an empty value gives message null', async () => {
    const { atFirst } = await send('empty-value', { value: Buffer.alloc(0) });
    should(shape(atFirst[0]).message).be.null();
  });

  it('a null key gives key ""', async () => {
    const { atFirst } = await send('null-key', { key: null, value: '1' });
    should(shape(atFirst[0]).key).equal('');
  });

  it('a binary key is decoded as UTF-8 with replacement characters', async () => {
    const { atFirst } = await send('binary-key', { key: Buffer.from([0x00, 0xff, 0x10, 0x41]), value: '2' });
    should(shape(atFirst[0]).key).equal('\u0000\ufffd\u0010A');
  });

  it('200 headers all arrive', async () => {
    const headers: IHeaders = {};
    for (let i = 0; i < 200; i++) headers[`h${i}`] = `v${i}`;
    const { atFirst } = await send('200-headers', { value: '3', headers });
    const payload = shape(atFirst[0]);
    should(Object.keys(payload.headers)).have.length(200);
    should(payload.headers.h199).equal('v199');
  });

  it('a header with a null value becomes ""', async () => {
    // kafkajs cannot write a null header value; kcat writes one for a header given without "=".
    const { atFirst } = await send('null-header', () =>
      produceWithKcat(sharedBroker().bootstrap, topic, ['4'], { headers: ['empty', 'other=x'] }),
    );
    should(shape(atFirst[0]).headers).eql({ empty: '', other: 'x' });
  });

  it('a repeated header name keeps its last value', async () => {
    const { atFirst } = await send('repeated-header', { value: '5', headers: { dup: ['1', '2', '3'] } });
    should(shape(atFirst[0]).headers).eql({ dup: '3' });
  });

  it('a header named __proto__ is an own property and pollutes nothing', async () => {
    const { atFirst, atSecond } = await send('proto-header', () =>
      produceWithKcat(sharedBroker().bootstrap, topic, ['6'], { headers: ['__proto__=x', 'constructor=y'] }),
    );
    const names = (msg: KafkaTriggerMessage | undefined): string =>
      msg ? Object.getOwnPropertyNames(msg.payload.headers).sort().join('+') : 'none';
    outcomes['proto-header-names'] = `first:${names(atFirst[0])},second:${names(atSecond[0])}`;
    should(({} as Record<string, unknown>).polluted).be.undefined();
    const decoded = shape(atFirst[0]).headers;
    should(Object.getPrototypeOf(decoded)).equal(Object.prototype);
    should(Object.keys(decoded).sort()).eql(['__proto__', 'constructor']);
  });

  it('JSON with __proto__ and constructor keys pollutes no prototype', async () => {
    const value = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"a":1}';
    const { atFirst, atSecond } = await send('proto-json', { value });
    const message = shape(atFirst[0]).message as Record<string, unknown>;
    // Node-RED clones the msg for the second wire with lodash.clonedeep, which assigns "__proto__".
    const copy = atSecond[0]?.payload.message as Record<string, unknown> | undefined;
    outcomes['proto-json-first'] =
      `keys:${Object.keys(message).sort().join('+')},inherited_polluted:${String(message.polluted)}`;
    outcomes['proto-json-second'] = copy
      ? `keys:${Object.keys(copy).sort().join('+')},inherited_polluted:${String(copy.polluted)}`
      : 'none';
    should(({} as Record<string, unknown>).polluted).be.undefined();
    should((Object.prototype as Record<string, unknown>).polluted).be.undefined();
    should(Object.keys(message).sort()).eql(['__proto__', 'a', 'constructor']);
    should(Object.getPrototypeOf(message)).equal(Object.prototype);
    should(atSecond).have.length(1);
  });

  it('control characters survive in raw_message', async () => {
    const text = 'a\u0000b\u0001c\u001b[31md\u007fe\u2028f\u0085';
    const { atFirst } = await send('control-chars', { value: text });
    should(shape(atFirst[0]).message).eql({ raw_message: text });
  });

  it('a 249-character topic name is consumed', async () => {
    should(LONG_TOPIC).have.length(249);
    await producer.send({ topic: LONG_TOPIC, messages: [{ value: '"long"' }] });
    await waitFor(() => longTopicOut.length === 1, 30000, 'a record from the long topic');
    const payload = shape(longTopicOut[0], LONG_TOPIC);
    should(payload.message).equal('long');
    outcomes['long-topic'] = `delivered:${longTopicOut.length}`;
  });

  // Last: when this one fails, the consumer is stuck on the record and every later case would fail too.
  // Node-RED clones the msg for the second wire with a recursive deep clone, which overflows the
  // stack at this depth: the first node gets the record, the rest is reported, and the consumer
  // carries on (send() waits for the marker behind it).
  it(`JSON nested ${NESTING} levels deep is parsed, reported where Node-RED cannot clone it, and passed`, async () => {
    const deep = '['.repeat(NESTING) + ']'.repeat(NESTING);
    const errorsBefore = loggedBy('trigger1', 'error').length;
    const { atFirst, atSecond } = await send('nested-10000', { value: deep });
    const payload = shape(atFirst[0]);
    outcomes['nested-10000-depth'] = String(depthOf(payload.message));
    should(depthOf(payload.message)).equal(NESTING);
    should(atFirst).have.length(1, 'the deep record was delivered more than once to the first node');
    outcomes['nested-10000-second'] = `copies:${atSecond.length}`;
    should(loggedBy('trigger1', 'error').slice(errorsBefore)).eql(['kafka-trigger.errors.record-not-sent']);
  });
});
