import should from 'should';
import { deadLetterMessage, DEAD_LETTER_HEADERS } from '../../src/consumer/dead-letter';
import type { KafkaMessage } from 'kafkajs';

describe('dead-letter message', () => {
  it('keeps key, value and headers and adds where the record came from and why it failed', () => {
    const record = {
      key: Buffer.from('k'),
      value: Buffer.from('v'),
      offset: '42',
      headers: { trace: Buffer.from('abc') },
    } as unknown as KafkaMessage;
    const message = deadLetterMessage('orders', 3, record, new Error('flow broke'));
    should(message.key).equal(record.key);
    should(message.value).equal(record.value);
    should(message.headers).eql({
      trace: Buffer.from('abc'),
      [DEAD_LETTER_HEADERS.error]: 'flow broke',
      [DEAD_LETTER_HEADERS.topic]: 'orders',
      [DEAD_LETTER_HEADERS.partition]: '3',
      [DEAD_LETTER_HEADERS.offset]: '42',
    });
  });
});
