import should from 'should';
import { resolveSecurity } from '../../src/client/connection-security';

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
