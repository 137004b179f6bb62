import should from 'should';
import { CompletionWatermarks } from '../../src/delivery/completion-watermarks';
import { deadLetterMessage, DEAD_LETTER_HEADERS } from '../../src/consumer/dead-letter';
import { InFlightLimit } from '../../src/delivery/in-flight-limit';
import type { KafkaMessage } from 'kafkajs';

describe('completion watermarks', () => {
  it('commits past a record only when it and every record before it are finished', () => {
    const marks = new CompletionWatermarks();
    for (const offset of ['10', '11', '12']) marks.started('t', 0, offset);
    should(marks.finished('t', 0, '11')).be.undefined();
    should(marks.finished('t', 0, '10')).equal('12');
    should(marks.finished('t', 0, '12')).equal('13');
  });

  it('keeps partitions apart and forgets revoked ones', () => {
    const marks = new CompletionWatermarks();
    marks.started('t', 0, '5');
    marks.started('t', 1, '7');
    should(marks.finished('t', 1, '7')).equal('8');
    marks.keepOnly({ t: [1] });
    should(marks.finished('t', 0, '5')).be.undefined();
  });

  it('keeps the same partition of two topics apart', () => {
    const marks = new CompletionWatermarks();
    marks.started('a', 0, '5');
    marks.started('b', 0, '5');
    marks.started('b', 0, '6');
    should(marks.finished('b', 0, '6')).be.undefined();
    should(marks.finished('a', 0, '5')).equal('6');
    should(marks.finished('b', 0, '5')).equal('7');
    marks.started('a', 0, '6');
    marks.started('b', 0, '7');
    marks.keepOnly({ b: [0] });
    should(marks.finished('a', 0, '6')).be.undefined();
    should(marks.finished('b', 0, '7')).equal('8');
  });

  it('handles offsets beyond 2^53', () => {
    const marks = new CompletionWatermarks();
    marks.started('t', 0, '9007199254740993');
    should(marks.finished('t', 0, '9007199254740993')).equal('9007199254740994');
  });
});

describe('in-flight limit', () => {
  it('has room below the cap and waits at it until a record leaves', async () => {
    const limit = new InFlightLimit(2);
    limit.enter();
    should(await limit.waitForRoom(10)).be.true();
    limit.enter();
    should(await limit.waitForRoom(10)).be.false();
    const waiting = limit.waitForRoom(5000);
    limit.leave();
    should(await waiting).be.true();
    should(limit.size).equal(1);
  });

  it('tells when nothing is in flight', async () => {
    const limit = new InFlightLimit(5);
    limit.enter();
    const idle = limit.waitUntilIdle(5000);
    limit.leave();
    should(await idle).be.true();
    should(await new InFlightLimit(1).waitUntilIdle(1)).be.true();
  });
});

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
