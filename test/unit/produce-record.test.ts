// How a msg becomes a Kafka record (src/producer/produce-record.ts): the contract's rules for the value,
// key, headers, partition and topic, and a problem, never an exception, for a msg that cannot be one.
import should from 'should';
import { toOutgoingRecord, type ProduceInput } from '../../src/producer/produce-record';

const NODE_TOPIC = { topic: 'orders', key: undefined };

function recordOf(msg: ProduceInput, settings: { topic?: string; key?: string } = NODE_TOPIC) {
  const result = toOutgoingRecord(msg, { topic: settings.topic, key: settings.key });
  if ('problem' in result) throw new Error(`unexpected problem ${result.problem.key}`);
  return result.record;
}

function problemOf(msg: ProduceInput, settings: { topic?: string; key?: string } = NODE_TOPIC) {
  const result = toOutgoingRecord(msg, { topic: settings.topic, key: settings.key });
  if ('record' in result) throw new Error('expected a problem');
  return result.problem;
}

describe('produce record', () => {
  it('takes a Buffer as its bytes, a string as itself (kafkajs writes it as UTF-8), null as a tombstone and anything else as JSON', () => {
    const bytes = Buffer.from([0, 255, 128]);
    should(recordOf({ payload: bytes }).message.value).equal(bytes);
    should(recordOf({ payload: new Uint8Array([1, 2]) }).message.value).eql(Buffer.from([1, 2]));
    should(recordOf({ payload: 'ünï' }).message.value).equal('ünï');
    should(recordOf({ payload: null }).message.value).be.null();
    should(String(recordOf({ payload: { a: [1] } }).message.value)).equal('{"a":[1]}');
    should(String(recordOf({ payload: 0 }).message.value)).equal('0');
    should(String(recordOf({ payload: false }).message.value)).equal('false');
  });

  it('takes the key from the setting over msg.key, as a string or a Buffer; no key is a null key', () => {
    should(String(recordOf({ payload: 'x', key: 'k' }).message.key)).equal('k');
    should(recordOf({ payload: 'x', key: Buffer.from([7]) }).message.key).eql(Buffer.from([7]));
    should(String(recordOf({ payload: 'x', key: 'k' }, { topic: 'orders', key: 'fixed' }).message.key)).equal(
      'fixed',
    );
    should(recordOf({ payload: 'x' }).message.key).be.null();
    should(problemOf({ payload: 'x', key: 7 })).eql({ key: 'invalid-key', params: { type: 'number' } });
    should(problemOf({ payload: 'x', key: { a: 1 } })).eql({
      key: 'invalid-key',
      params: { type: 'object' },
    });
  });

  it('takes headers of strings and Buffers, an array repeating a header', () => {
    const headers = { a: 'text', b: Buffer.from([1]), c: ['x', Buffer.from('y')] };
    should(recordOf({ payload: 'x', headers }).message.headers).eql(headers);
    should(recordOf({ payload: 'x' }).message.headers).be.undefined();
    should(problemOf({ payload: 'x', headers: ['a'] })).eql({
      key: 'invalid-headers',
      params: { type: 'array' },
    });
    should(problemOf({ payload: 'x', headers: { n: 5 } })).eql({
      key: 'invalid-header',
      params: { name: 'n', type: 'number' },
    });
    should(problemOf({ payload: 'x', headers: { n: ['ok', null] } })).eql({
      key: 'invalid-header',
      params: { name: 'n', type: 'null' },
    });
  });

  it('takes msg.partition when it is a number, a whole one from 0', () => {
    should(recordOf({ payload: 'x', partition: 3 }).message.partition).equal(3);
    should(recordOf({ payload: 'x', partition: '3' }).message.partition).be.undefined();
    should(problemOf({ payload: 'x', partition: -1 }).key).equal('invalid-partition');
    should(problemOf({ payload: 'x', partition: Number.NaN }).key).equal('invalid-partition');
  });

  it("takes the node's topic, else msg.topic, and checks it", () => {
    should(recordOf({ payload: 'x', topic: 'ignored' }).topic).equal('orders');
    should(recordOf({ payload: 'x', topic: 'from-msg' }, {}).topic).equal('from-msg');
    should(problemOf({ payload: 'x' }, {}).key).equal('missing-msg-topic');
    should(problemOf({ payload: 'x', topic: 42 }, {}).key).equal('missing-msg-topic');
    should(problemOf({ payload: 'x', topic: 'a b' }, {})).eql({
      key: 'invalid-msg-topic',
      params: { topic: 'a b' },
    });
  });

  it('names what is wrong with a payload that has no record form', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    should(problemOf({ payload: () => 1 })).eql({
      key: 'invalid-payload',
      params: { type: 'function', error: 'it has no JSON form' },
    });
    should(problemOf({ payload: Symbol('s') }).key).equal('invalid-payload');
    should(problemOf({ payload: circular }).params.error).match(/circular/i);
    should(problemOf({ payload: 10n }).params.error).match(/BigInt/);
    should(problemOf({ payload: { toJSON: () => undefined } })).eql({
      key: 'invalid-payload',
      params: { type: 'object', error: 'it has no JSON form' },
    });
    should(problemOf({}).key).equal('missing-payload');
  });

  it('estimates the bytes a record adds to a request', () => {
    const record = recordOf({ payload: 'x'.repeat(100), key: 'kk', headers: { h: 'vvv' } });
    should(record.size).equal(24 + 100 + 2 + (1 + 3 + 2));
  });
});
