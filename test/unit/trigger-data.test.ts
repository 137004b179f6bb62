import should from 'should';
import {
  decodeHeaders,
  decodeValue,
  formatProcessingTime,
  ProcessingClock,
} from '../../src/formats/trigger-data';

describe('trigger data', () => {
  describe('decodeValue', () => {
    it('parses JSON of any kind', () => {
      should(decodeValue(Buffer.from('{"user_id":"123","n":[1,2]}'))).eql({ user_id: '123', n: [1, 2] });
      should(decodeValue(Buffer.from('[1,"a",null]'))).eql([1, 'a', null]);
      should(decodeValue(Buffer.from('42.5'))).equal(42.5);
      should(decodeValue(Buffer.from('"text"'))).equal('text');
      should(decodeValue(Buffer.from('true'))).equal(true);
      should(decodeValue(Buffer.from('null'))).equal(null);
    });

    it('wraps text that is not JSON as raw_message', () => {
      should(decodeValue(Buffer.from('Plain text message content'))).eql({
        raw_message: 'Plain text message content',
      });
      should(decodeValue(Buffer.from('{"unterminated":'))).eql({ raw_message: '{"unterminated":' });
    });

    it('gives null for a null or empty value', () => {
      should(decodeValue(null)).equal(null);
      should(decodeValue(Buffer.alloc(0))).equal(null);
    });

    it('replaces invalid UTF-8 rather than failing', () => {
      should(decodeValue(Buffer.from([0x61, 0xff, 0x62]))).eql({ raw_message: 'a\uFFFDb' });
    });

    it('keeps __proto__ keys as data without touching prototypes', () => {
      const message = decodeValue(
        Buffer.from('{"__proto__":{"polluted":true},"constructor":{"x":1}}'),
      ) as object;
      should(Object.keys(message)).eql(['__proto__', 'constructor']);
      should(({} as Record<string, unknown>).polluted).be.undefined();
    });
  });

  describe('decodeHeaders', () => {
    it('decodes every header as UTF-8 and lets the last repeated value win', () => {
      should(
        decodeHeaders({
          'content-type': Buffer.from('application/json'),
          source: 'auth-service',
          trace: [Buffer.from('first'), Buffer.from('last')],
        }),
      ).eql({ 'content-type': 'application/json', source: 'auth-service', trace: 'last' });
    });

    it('gives {} without headers and "" for a null header value', () => {
      should(decodeHeaders(undefined)).eql({});
      should(decodeHeaders({})).eql({});
      should(decodeHeaders({ empty: undefined })).eql({ empty: '' });
    });

    it('keeps a header named __proto__ as an own property', () => {
      const headers = decodeHeaders({ ['__proto__']: Buffer.from('x') });
      should(Object.getOwnPropertyDescriptor(headers, '__proto__')?.value).equal('x');
      should(Object.getPrototypeOf(headers)).equal(Object.prototype);
    });
  });

  describe('processing time', () => {
    it('is RFC 3339 UTC with whole seconds', () => {
      should(formatProcessingTime(Date.UTC(2024, 5, 18, 5, 9, 0, 999))).equal('2024-06-18T05:09:00Z');
      should(formatProcessingTime(Date.UTC(2024, 11, 31, 23, 59, 59, 1))).equal('2024-12-31T23:59:59Z');
    });

    it('is formatted again only when the second changes', () => {
      const clock = new ProcessingClock();
      const base = Date.UTC(2024, 5, 18, 5, 9, 0, 0);
      should(clock.now(base + 10)).equal('2024-06-18T05:09:00Z');
      should(clock.now(base + 990)).equal('2024-06-18T05:09:00Z');
      should(clock.now(base + 1000)).equal('2024-06-18T05:09:01Z');
    });
  });
});
