import should from 'should';
import { resolveBrokerSettings } from '../../src/settings/broker-settings';

describe('broker settings', () => {
  it('applies the defaults: KAFKA_BROKERS, the package client id, no SASL', () => {
    should(resolveBrokerSettings({})).eql({
      settings: {
        brokers: [],
        clientId: 'node-red-kafka-trigger',
        mechanism: 'none',
        schemaRegistryUrl: undefined,
      },
    });
  });

  it('reads the broker list, the client id and the mechanism', () => {
    should(
      resolveBrokerSettings({
        brokers: 'k1:9092, k2:9093',
        client_id: 'orders',
        sasl_mechanism: 'scram-sha-256',
      }),
    ).eql({
      settings: {
        brokers: ['k1:9092', 'k2:9093'],
        clientId: 'orders',
        mechanism: 'scram-sha-256',
        schemaRegistryUrl: undefined,
      },
    });
  });

  it('names every entry that is not host:port, and an unknown mechanism', () => {
    should(resolveBrokerSettings({ brokers: 'k1:9092,kafka,k2:0' })).eql({
      problem: { key: 'invalid-broker', params: { broker: 'kafka, k2:0' }, setting: 'brokers' },
    });
    should(resolveBrokerSettings({ sasl_mechanism: 'gssapi' })).eql({
      problem: { key: 'invalid-sasl', params: { mechanism: 'gssapi' }, setting: 'sasl_mechanism' },
    });
  });
});
