import should from 'should';
import { brokerList } from '../../src/settings/broker-list';
import { parseBrokerList } from '../../src/settings/setting-rules';

describe('broker list: the kafka-broker node, the private connection and the command line', () => {
  it('splits and trims a comma-separated list', () => {
    should(parseBrokerList(' kafka1:9092, kafka2:9092 ,,')).eql(['kafka1:9092', 'kafka2:9092']);
    should(parseBrokerList(undefined)).eql([]);
  });

  it('falls back to KAFKA_BROKERS only when the configured list is blank', () => {
    should(brokerList('a:1', 'b:2')).eql({ brokers: ['a:1'], fromEnvironment: false });
    should(brokerList(' ', 'b:2,c:3')).eql({ brokers: ['b:2', 'c:3'], fromEnvironment: true });
    should(brokerList('', undefined)).eql({ brokers: [], fromEnvironment: true });
  });

  it('names the entries that are not host:port, wherever the list came from', () => {
    should(brokerList('kafka:9092, 127.0.0.1:1,[::1]:9092', undefined)).not.have.property('invalid');
    should(brokerList(undefined, 'kafka,kafka:0, kafka:70000,a b:1,ok:1')).eql({
      brokers: ['kafka', 'kafka:0', 'kafka:70000', 'a b:1', 'ok:1'],
      fromEnvironment: true,
      invalid: ['kafka', 'kafka:0', 'kafka:70000', 'a b:1'],
    });
    should(brokerList('x', 'b:2')).have.property('invalid', ['x']);
  });
});
