import should from 'should';
import { resolveSecurity } from '../../src/client/connection-security';
import { TokenCache } from '../../src/client/token-cache';

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

  it('logs in with the token source over OAUTHBEARER, and names a token login without one', () => {
    const tokens = new TokenCache({ fetch: async () => ({ value: 't', expiresAt: Date.now() + 60000 }) });
    const result = resolveSecurity({ mechanism: 'oauthbearer', tokens });
    should(result).have.property('security');
    const { sasl } = (
      result as { security: { sasl: { mechanism: string; authenticationProvider: unknown } } }
    ).security;
    should(sasl.mechanism).equal('oauthbearer');
    should(sasl.authenticationProvider).be.a.Function();
    should(resolveSecurity({ mechanism: 'aws-msk-iam' })).eql({
      problem: { key: 'missing-token-source', params: { mechanism: 'aws-msk-iam' } },
    });
  });
});
