import should from 'should';
import { loginTokens } from '../../src/client/login-tokens';
import { refusalStatus } from '../../src/client/oauthbearer-login';
import { TokenCache } from '../../src/client/token-cache';

const OAUTH = { tokenUrl: 'https://idp.example/token', clientId: 'c', scope: undefined, audience: undefined };

describe('login tokens of a broker node', () => {
  it('gives oauthbearer one token cache, and names a missing client secret', () => {
    const login = loginTokens({ mechanism: 'oauthbearer', oauth: OAUTH, oauthClientSecret: 's' });
    should('tokens' in login && login.tokens).be.instanceOf(TokenCache);
    should(loginTokens({ mechanism: 'oauthbearer', oauth: OAUTH, oauthClientSecret: '' })).eql({
      problem: { key: 'missing-oauth-client-secret', params: {} },
    });
  });

  it('gives the other mechanisms no token source', () => {
    for (const mechanism of ['none', 'plain', 'scram-sha-512', 'aws-msk-iam'] as const)
      should(loginTokens({ mechanism, oauth: undefined, oauthClientSecret: undefined })).eql({
        tokens: undefined,
      });
  });
});

describe("a broker's refusal of an OAUTHBEARER token", () => {
  it('is told by the status of its error challenge (RFC 7628), never by quoting it', () => {
    should(refusalStatus(Buffer.from('{"status":"invalid_token"}'))).equal('invalid_token');
    should(refusalStatus(Buffer.from('{"status":"<script>eyJhbGciOi.x.y</script>"}'))).equal(
      'no status given',
    );
    should(refusalStatus(Buffer.from('not json'))).equal('no status given');
  });
});
