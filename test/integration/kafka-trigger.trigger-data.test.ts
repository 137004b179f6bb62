import should from 'should';
import { newTopic, produce } from '../support/kafka';
import { collect, deployTrigger, startNodeRed, stopNodeRed } from '../support/node-red';
import { waitFor } from '../support/wait';

const RFC3339_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('kafka-trigger msg.payload', function () {
  let topic: string;

  beforeEach(async () => {
    await startNodeRed();
    topic = await newTopic('payload');
    await deployTrigger({ topic });
  });

  afterEach(stopNodeRed);

  it('is the trigger data for every kind of record, with msg.topic set', async () => {
    const received = collect('out');
    const before = Math.floor(Date.now() / 1000) * 1000;
    await produce(topic, [
      {
        key: 'user-123',
        value: '{"user_id":"123","event_type":"login"}',
        headers: { 'content-type': 'application/json' },
      },
      { key: null, value: '[1,"two",{"three":3}]' },
      { value: '99.5' },
      { value: 'Plain text message content' },
      { value: '' },
      { value: null },
      {
        value: 'repeat',
        headers: { source: ['first', 'second', 'last'], 'x-other': Buffer.from('ünïcode') },
      },
    ]);
    await waitFor(() => received.length === 7, 30000, '7 messages');
    const after = Date.now();

    const payloads = received.map((msg) => msg.payload);
    should(received.map((msg) => msg.topic)).eql(Array(7).fill(topic));
    should(payloads.map((p) => p.offset)).eql([0, 1, 2, 3, 4, 5, 6]);
    for (const payload of payloads) {
      should(Object.keys(payload).sort()).eql([
        'headers',
        'key',
        'message',
        'offset',
        'partition',
        'timestamp',
        'topic',
      ]);
      should(payload.topic).equal(topic);
      should(payload.partition).equal(0);
      should(payload.timestamp).match(RFC3339_SECONDS);
      const processed = Date.parse(payload.timestamp);
      should(processed).be.within(before, after);
    }
    should(payloads[0]).containDeep({
      key: 'user-123',
      message: { user_id: '123', event_type: 'login' },
      headers: { 'content-type': 'application/json' },
    });
    should(payloads[1]).containDeep({ key: '', message: [1, 'two', { three: 3 }], headers: {} });
    should(payloads[1].headers).eql({});
    should(payloads[2].message).equal(99.5);
    should(payloads[3].message).eql({ raw_message: 'Plain text message content' });
    should(payloads[4].message).be.null();
    should(payloads[5].message).be.null();
    should(payloads[6].headers).eql({ source: 'last', 'x-other': 'ünïcode' });
  });

  it('puts extra metadata beside the payload, never in it', async () => {
    const received = collect('out');
    const produced = Date.now();
    await produce(topic, [{ value: '{}' }]);
    await waitFor(() => received.length === 1, 30000, 'one message');
    should(received[0].kafka.groupId).equal('operion-triggers-trigger1');
    should(received[0].kafka.recordTimestamp).be.within(produced - 1000, Date.now());
  });
});
