import should from 'should';
import { retryDelay } from '../../src/client/backoff';
import { resolveBrokerSettings } from '../../src/settings/broker-settings';
import { resolveSecurity } from '../../src/client/connection-security';
import { classifyFailure, rootMessage } from '../../src/client/failure';
import { parseBrokerList } from '../../src/settings/setting-rules';

describe('broker lists', () => {
  it('splits and trims a comma-separated list', () => {
    should(parseBrokerList(' kafka1:9092, kafka2:9092 ,,')).eql(['kafka1:9092', 'kafka2:9092']);
    should(parseBrokerList(undefined)).eql([]);
  });
});

describe('retry backoff', () => {
  const policy = { initialMs: 1000, maxMs: 30000 };

  it('grows exponentially and stays between half and all of the step', () => {
    should(retryDelay(1, policy, () => 0)).equal(500);
    should(retryDelay(1, policy, () => 1)).equal(1000);
    should(retryDelay(4, policy, () => 0)).equal(4000);
    should(retryDelay(4, policy, () => 1)).equal(8000);
  });

  it('is capped near 30 s however many attempts failed', () => {
    should(retryDelay(6, policy, () => 1)).equal(30000);
    should(retryDelay(1000, policy, () => 1)).equal(30000);
    should(retryDelay(1000, policy, () => 0)).equal(15000);
  });
});

describe('failure classification', () => {
  function wrapped(inner: Error): Error {
    const outer = new Error('Number of retries exceeded') as Error & { cause?: unknown };
    outer.name = 'KafkaJSNumberOfRetriesExceeded';
    outer.cause = inner;
    return outer;
  }

  it('recognises a missing topic through kafkajs retries', () => {
    const inner = Object.assign(new Error('This server does not host this topic-partition'), {
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
    should(classifyFailure(wrapped(inner))).equal('topic-missing');
    should(rootMessage(wrapped(inner))).equal('This server does not host this topic-partition');
  });

  it('recognises unreachable brokers', () => {
    const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:1'), {
      name: 'KafkaJSConnectionError',
      code: 'ECONNREFUSED',
    });
    should(classifyFailure(wrapped(refused))).equal('unreachable');
  });

  it('calls anything else a failure', () => {
    should(classifyFailure(new Error('boom'))).equal('failed');
    should(classifyFailure('not an error')).equal('failed');
    should(rootMessage('not an error')).equal('not an error');
  });
});

describe('security settings', () => {
  it('gives kafkajs SASL options and TLS options as set', () => {
    const result = resolveSecurity({
      mechanism: 'scram-sha-512',
      username: 'u',
      password: 'p',
      tls: { ca: 'CA' },
    });
    should(result).eql({
      security: { sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' }, ssl: { ca: 'CA' } },
    });
  });

  it('means plain TCP without SASL when nothing is set', () => {
    should(resolveSecurity({ mechanism: 'none' })).eql({ security: { sasl: undefined, ssl: false } });
  });

  it('names a missing credential', () => {
    should(resolveSecurity({ mechanism: 'plain', username: 'u' })).eql({
      problem: { key: 'missing-credentials', params: { mechanism: 'plain' } },
    });
  });
});

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

describe('security failure classification', () => {
  it('tells authentication, TLS and closed connections apart', () => {
    const sasl = Object.assign(new Error('SASL SCRAM SHA512 authentication failed'), {
      name: 'KafkaJSSASLAuthenticationError',
    });
    const untrusted = Object.assign(
      new Error('Connection error: self-signed certificate in certificate chain'),
      {
        name: 'KafkaJSConnectionError',
        code: 'SELF_SIGNED_CERT_IN_CHAIN',
      },
    );
    const certificateRequired = Object.assign(new Error('certificate required'), {
      code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    });
    const closed = Object.assign(new Error('Closed connection'), { name: 'KafkaJSConnectionClosedError' });
    should(classifyFailure(sasl)).equal('auth-failed');
    should(classifyFailure(untrusted)).equal('tls-failed');
    should(classifyFailure(certificateRequired)).equal('tls-failed');
    should(classifyFailure(closed)).equal('connection-closed');
  });
});
