import should from 'should';
import { loginTokens } from '../../src/client/login-tokens';
import { refusalStatus } from '../../src/client/oauthbearer-login';
import { TokenCache } from '../../src/client/token-cache';

const OAUTH = { tokenUrl: 'https://idp.example/token', clientId: 'c', scope: undefined, audience: undefined };
/** No AWS settings: aws-msk-iam's cases are in msk-iam-token.test.ts. */
const NO_AWS = { awsRegion: undefined, awsKeys: {} };

describe('login tokens of a broker node', () => {
  it('gives oauthbearer one token cache, and names a missing client secret', () => {
    const login = loginTokens({ mechanism: 'oauthbearer', oauth: OAUTH, oauthClientSecret: 's', ...NO_AWS });
    should('tokens' in login && login.tokens).be.instanceOf(TokenCache);
    should(loginTokens({ mechanism: 'oauthbearer', oauth: OAUTH, oauthClientSecret: '', ...NO_AWS })).eql({
      problem: { key: 'missing-oauth-client-secret', params: {} },
    });
  });

  it('gives the other mechanisms no token source', () => {
    for (const mechanism of ['none', 'plain', 'scram-sha-512'] as const)
      should(loginTokens({ mechanism, oauth: undefined, oauthClientSecret: undefined, ...NO_AWS })).eql({
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
