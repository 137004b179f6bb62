// kafka-produce against the real broker, inside the test helper's Node-RED runtime.
import type { NodeMessage } from 'node-red';
import should from 'should';
import { findFreePorts } from '../../scripts/kafka/ports';
import { sharedBroker } from '../support/shared-broker';
import { newTopic, readRecords, testKafka, uniqueName } from '../support/kafka';
import { brokerNode, catchWatcher, helperNode, produceNode, tab } from '../support/flows';
import {
  collect,
  deploy,
  getNode,
  lastStatusText,
  startNodeRed,
  stopNodeRed,
  waitForStatus,
} from '../support/node-red';
import { waitFor } from '../support/wait';

interface WrittenMessage extends NodeMessage {
  kafka: { topic: string; partition: number; offset: number | null };
}
interface CaughtMessage extends NodeMessage {
  error: { message: string; source: { id: string } };
}

/** Deploys broker1 (the test broker unless told), produce1 wired to 'out', and a Catch node for it. */
async function deployProducer(
  props: Record<string, unknown>,
  brokers = sharedBroker().bootstrap,
  waitForConnected = true,
): Promise<{ written: WrittenMessage[]; caught: CaughtMessage[] }> {
  await deploy([
    tab(),
    brokerNode('broker1', brokers),
    produceNode('produce1', { broker: 'broker1', ...props }, ['out']),
    helperNode('out'),
    ...catchWatcher('catch1', ['produce1'], 'caught'),
  ]);
  const written = collect<WrittenMessage>('out');
  const caught = collect<CaughtMessage>('caught');
  if (waitForConnected) await waitForStatus('produce1', 'connected', 30000, 'kafka-produce');
  return { written, caught };
}

/** What a Catch node shows: Node-RED puts the error's toString() in msg.error.message. */
function caughtText(msg: CaughtMessage | undefined): string {
  return (msg?.error.message ?? '').replace(/^Error: /, '');
}

function send(msg: Record<string, unknown>): void {
  getNode<{ receive(msg: unknown): void }>('produce1').receive(msg);
}

describe('kafka-produce', function () {
  beforeEach(startNodeRed);
  afterEach(stopNodeRed);

  it('writes each msg as one record by the rules of the contract and sends it on with msg.kafka', async () => {
    const topic = await newTopic('produce-rules', 3);
    const { written, caught } = await deployProducer({ topic });
    const binary = Buffer.from([0x00, 0xff, 0x01, 0x80, 0x0a]);
    const inputs: Record<string, unknown>[] = [
      { payload: 'plain text', key: 'user-1' },
      { payload: binary, key: Buffer.from([0x01, 0x02]) },
      { payload: null, key: 'deleted-user' },
      {
        payload: { a: 1, b: [true, null] },
        headers: { 'h-text': 'v', 'h-bytes': binary, 'h-repeated': ['x', 'y'] },
      },
      { payload: 42.5 },
      { payload: 'pinned', partition: 2 },
    ];
    for (const [index, input] of inputs.entries()) send({ ...input, index });
    await waitFor(() => written.length === inputs.length, 30000, 'every msg written');
    should(caught).be.empty();

    const records = await readRecords(topic, inputs.length);
    should(records).have.length(inputs.length);
    const byIndex = new Map(written.map((msg) => [(msg as unknown as { index: number }).index, msg]));
    const recordAt = (msg: WrittenMessage) =>
      records.find((r) => r.partition === msg.kafka.partition && r.offset === msg.kafka.offset)!;
    for (const msg of written) {
      should(msg.kafka.topic).equal(topic);
      should(recordAt(msg)).be.ok();
    }
    // The msg going on is the one that came in.
    should(byIndex.get(1)!.payload).equal(binary);

    const [text, bytes, tombstone, json, number, pinned] = inputs.map((_, index) =>
      recordAt(byIndex.get(index)!),
    );
    should(text.value!.toString('utf8')).equal('plain text');
    should(text.key!.toString('utf8')).equal('user-1');
    should(bytes.value).eql(binary);
    should(bytes.key).eql(Buffer.from([0x01, 0x02]));
    should(tombstone.value).be.null();
    should(tombstone.key!.toString('utf8')).equal('deleted-user');
    should(JSON.parse(json.value!.toString('utf8'))).eql({ a: 1, b: [true, null] });
    should(json.key).be.null();
    should(json.headers['h-text']!.toString()).equal('v');
    should(json.headers['h-bytes']).eql(binary);
    should((json.headers['h-repeated'] as Buffer[]).map(String)).eql(['x', 'y']);
    should(number.value!.toString('utf8')).equal('42.5');
    should(pinned.partition).equal(2);

    // Records with the same key land on the same partition.
    for (let i = 0; i < 6; i++) send({ payload: `again ${i}`, key: 'user-1', index: 100 + i });
    await waitFor(() => written.length === inputs.length + 6, 30000, 'keyed msgs written');
    const keyedPartitions = new Set(written.slice(inputs.length).map((msg) => msg.kafka.partition));
    should([...keyedPartitions]).eql([byIndex.get(0)!.kafka.partition]);
  });

  it('writes to msg.topic when the node has no topic, and puts the key setting over msg.key', async () => {
    const first = await newTopic('produce-msg-topic');
    const second = await newTopic('produce-msg-topic');
    const { written, caught } = await deployProducer({ topic: '', key: 'fixed-key' });
    send({ topic: first, payload: 'one', key: 'ignored' });
    send({ topic: second, payload: 'two' });
    await waitFor(() => written.length === 2, 30000, 'both msgs written');
    should(caught).be.empty();
    const [one] = await readRecords(first, 1);
    const [two] = await readRecords(second, 1);
    should(one.value!.toString()).equal('one');
    should(one.key!.toString()).equal('fixed-key');
    should(two.value!.toString()).equal('two');
    should(two.key!.toString()).equal('fixed-key');
    should(written.map((msg) => msg.kafka.topic).sort()).eql([first, second].sort());
  });

  it('fails each msg it cannot write with a clear error for Catch nodes, and carries on', async () => {
    const topic = await newTopic('produce-bad-msgs');
    const { written, caught } = await deployProducer({ topic: '' });
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const bad: [Record<string, unknown>, string][] = [
      [{ payload: 'no topic' }, 'No topic: set one on the node or give the msg a msg.topic'],
      [{ topic: 'not valid!', payload: 'x' }, 'Invalid msg.topic "not valid!"'],
      [{ topic, payload: () => 1 }, 'msg.payload (a function) cannot be written as a record'],
      [
        { topic, payload: circular },
        'msg.payload (a object) cannot be written as a record: Converting circular',
      ],
      [{ topic, payload: BigInt(1) }, 'msg.payload (a bigint) cannot be written as a record'],
      [{ topic }, 'msg.payload is missing'],
      [{ topic, payload: 'x', key: 7 }, 'msg.key must be a string or a Buffer, not a number'],
      [{ topic, payload: 'x', headers: 'h' }, 'msg.headers must be an object'],
      [
        { topic, payload: 'x', headers: { n: 1 } },
        'Header "n" must be a string or a Buffer (or an array of them), not a number',
      ],
      [{ topic, payload: 'x', headers: { u: undefined } }, 'Header "u" must be a string or a Buffer'],
      [{ topic, payload: 'x', partition: -1 }, 'msg.partition -1 is not a partition number'],
      [{ topic, payload: 'x', partition: 1.5 }, 'msg.partition 1.5 is not a partition number'],
    ];
    for (const [index, [msg]] of bad.entries()) send({ ...msg, index });
    send({ topic, payload: 'good after bad' });
    await waitFor(() => caught.length === bad.length && written.length === 1, 30000, 'every bad msg caught');
    for (const [index, [, expected]] of bad.entries()) {
      const msg = caught.find((m) => (m as unknown as { index: number }).index === index);
      should(caughtText(msg)).startWith(expected, `msg ${index}`);
      should(msg!.error.source.id).equal('produce1');
    }
    const [record] = await readRecords(topic, 1);
    should(record.value!.toString()).equal('good after bad');
  });

  it('fails a msg for a topic the broker does not have, naming it, and does not create the topic', async () => {
    const missing = uniqueName('produce-missing');
    const existing = await newTopic('produce-existing');
    const { written, caught } = await deployProducer({ topic: '' });
    send({ topic: missing, payload: 'lost?' });
    send({ topic: existing, payload: 'kept' });
    await waitFor(() => caught.length === 1 && written.length === 1, 60000, 'one failed, one written');
    should(caughtText(caught[0])).startWith(`Record for topic ${missing} not written: `);
    should(caughtText(caught[0])).match(/does not host this topic-partition|not exist/);
    should(written[0].kafka.topic).equal(existing);
    const admin = testKafka().admin();
    await admin.connect();
    try {
      should(await admin.listTopics()).not.containEql(missing);
    } finally {
      await admin.disconnect();
    }
  });

  it('with acks none sends msgs on once written, without an offset; with acks leader, with one', async () => {
    const topic = await newTopic('produce-acks');
    const none = await deployProducer({ topic, acks: 'none' });
    send({ payload: 'fire and forget' });
    await waitFor(() => none.written.length === 1, 30000, 'acks none written');
    should(none.written[0].kafka).eql({ topic, partition: 0, offset: null });
    await stopNodeRed();
    await startNodeRed();
    const leader = await deployProducer({ topic, acks: 'leader' });
    send({ payload: 'leader has it' });
    await waitFor(() => leader.written.length === 1, 30000, 'acks leader written');
    should(leader.written[0].kafka).eql({ topic, partition: 0, offset: 1 });
    const records = await readRecords(topic, 2);
    should(records.map((r) => r.value!.toString())).eql(['fire and forget', 'leader has it']);
  });

  it('while the brokers cannot be reached: says so, counts what waits, fails it at the send timeout and refuses beyond the cap', async function () {
    this.timeout(90000);
    const [port] = await findFreePorts(1);
    const { caught, written } = await deployProducer(
      { topic: 'produce-nowhere', send_timeout: 4000 },
      `127.0.0.1:${port}`,
      false,
    );
    await waitFor(
      () => lastStatusText('produce1') === 'kafka-produce.status.disconnected',
      30000,
      'disconnected',
    );
    const sentAt = Date.now();
    for (let i = 0; i < 10001; i++) send({ payload: `waiting ${i}` });
    // The msg beyond the cap fails at once, before any waiting one times out.
    await waitFor(() => caught.length >= 1, 10000, 'the msg beyond the cap');
    should(caughtText(caught[0])).startWith(
      'Record for topic produce-nowhere refused: 10000 records are already waiting for the broker',
    );
    await waitFor(
      () => /^disconnected, 10000 waiting$/.test(lastStatusText('produce1') ?? ''),
      10000,
      'waiting count',
    );
    await waitFor(() => caught.length === 10001, 30000, 'every waiting msg timed out');
    should(Date.now() - sentAt).be.aboveOrEqual(4000);
    const timedOut = caught.slice(1).map(caughtText);
    should(
      timedOut.every((message) =>
        message.startsWith('Record for topic produce-nowhere not acknowledged within 4000 ms: '),
      ),
    ).be.true();
    should(timedOut[0]).match(/ECONNREFUSED|Connection error|connect/i);
    should(written).be.empty();
  });

  it('writes the msgs it accepted before it finishes closing', async () => {
    const topic = await newTopic('produce-close');
    await deployProducer({ topic });
    let accepted = 0;
    getNode('produce1').on('input', () => (accepted += 1));
    const count = 2000;
    for (let i = 0; i < count; i++) send({ payload: `closing ${i}` });
    await waitFor(() => accepted === count, 30000, 'every msg accepted');
    await stopNodeRed();
    await startNodeRed();
    const records = await readRecords(topic, count);
    should(records).have.length(count);
    should(new Set(records.map((r) => r.value!.toString())).size).equal(count);
  });
});
