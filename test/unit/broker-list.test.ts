import should from 'should';
import { invalidBrokers, resolveBrokers } from '../../src/settings/broker-list';
import { parseBrokerList } from '../../src/settings/setting-rules';

describe('broker lists', () => {
  it('splits and trims a comma-separated list', () => {
    should(parseBrokerList(' kafka1:9092, kafka2:9092 ,,')).eql(['kafka1:9092', 'kafka2:9092']);
    should(parseBrokerList(undefined)).eql([]);
  });

  it('falls back to KAFKA_BROKERS only when the configured list is blank', () => {
    should(resolveBrokers('a:1', 'b:2')).eql(['a:1']);
    should(resolveBrokers(' ', 'b:2,c:3')).eql(['b:2', 'c:3']);
    should(resolveBrokers('', undefined)).eql([]);
  });

  it('finds entries that are not host:port', () => {
    should(invalidBrokers(['kafka:9092', '127.0.0.1:1', '[::1]:9092'])).eql([]);
    should(invalidBrokers(['kafka', 'kafka:0', 'kafka:70000', 'a b:1'])).eql([
      'kafka',
      'kafka:0',
      'kafka:70000',
      'a b:1',
    ]);
  });
});
