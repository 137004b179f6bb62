import should from 'should';
import { classifyFailure, rootMessage } from '../../src/client/failure';

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

  it('takes a kafkajs protocol error with a numeric code (a fenced producer, a record too large) without throwing', () => {
    const fenced = Object.assign(new Error('Producer attempted an operation with an old epoch'), {
      name: 'KafkaJSProtocolError',
      type: 'INVALID_PRODUCER_EPOCH',
      code: 47,
    });
    should(classifyFailure(wrapped(fenced))).equal('failed');
  });

  it('calls anything else a failure', () => {
    should(classifyFailure(new Error('boom'))).equal('failed');
    should(classifyFailure('not an error')).equal('failed');
    should(rootMessage('not an error')).equal('not an error');
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
