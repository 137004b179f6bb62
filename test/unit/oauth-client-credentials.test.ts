import http from 'node:http';
import type { AddressInfo } from 'node:net';
import should from 'should';
import { classifyFailure, rootMessage } from '../../src/client/failure';
import {
  basicAuthorization,
  clientCredentialsTokens,
  postForm,
  type EndpointAnswer,
} from '../../src/client/oauth-client-credentials';
import {
  ASSUMED_LIFETIME_MS,
  endpointName,
  readTokenAnswer,
  TokenEndpointError,
} from '../../src/client/token-endpoint-answer';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider';

const NOW = 1_800_000_000_000;
const ENDPOINT = 'https://idp.example/oauth2/token';
const SECRET = 'p@ss:w rd/+&=';

/** A JWT-shaped token with the given claims; the signature does not matter to the client. */
function jwt(claims: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part(claims)}.signature`;
}

describe('OAuth token endpoint answers', () => {
  it('reads access_token and expires_in', () => {
    const body = JSON.stringify({ access_token: 'abc', token_type: 'Bearer', expires_in: 300 });
    should(readTokenAnswer(200, body, ENDPOINT, NOW)).eql({ value: 'abc', expiresAt: NOW + 300_000 });
    const asText = JSON.stringify({ access_token: 'abc', expires_in: '60' });
    should(readTokenAnswer(200, asText, ENDPOINT, NOW)).eql({ value: 'abc', expiresAt: NOW + 60_000 });
  });

  it("without expires_in takes the JWT's exp, and else a short assumed lifetime", () => {
    const token = jwt({ sub: 'client', exp: NOW / 1000 + 900 });
    should(readTokenAnswer(200, JSON.stringify({ access_token: token }), ENDPOINT, NOW)).eql({
      value: token,
      expiresAt: NOW + 900_000,
    });
    should(readTokenAnswer(200, JSON.stringify({ access_token: 'opaque' }), ENDPOINT, NOW)).eql({
      value: 'opaque',
      expiresAt: NOW + ASSUMED_LIFETIME_MS,
    });
    const expired = jwt({ exp: NOW / 1000 - 10 });
    should(readTokenAnswer(200, JSON.stringify({ access_token: expired }), ENDPOINT, NOW)).have.property(
      'expiresAt',
      NOW + ASSUMED_LIFETIME_MS,
    );
  });

  it('calls 401, and 400 invalid_client or unauthorized_client, refused credentials: auth-failed', () => {
    for (const [status, body] of [
      [401, ''],
      [401, '{"error":"invalid_client"}'],
      [400, '{"error":"invalid_client","error_description":"Client authentication failed"}'],
      [400, '{"error":"unauthorized_client"}'],
    ] as const) {
      const error = readTokenAnswer(status, body, ENDPOINT, NOW) as TokenEndpointError;
      should(error).be.instanceOf(TokenEndpointError);
      should(classifyFailure(error)).equal('auth-failed');
      should(error.message).startWith(
        `the OAuth token endpoint ${ENDPOINT} refused the client ID and secret`,
      );
    }
  });

  it('names the endpoint for other errors, answers that are not JSON and answers without a token', () => {
    const cases: [number, string, RegExp][] = [
      [
        400,
        '{"error":"invalid_scope","error_description":"no such scope"}',
        /answered HTTP 400 invalid_scope: no such scope$/,
      ],
      [503, '<html>down</html>', /answered HTTP 503$/],
      [200, '<html>login page</html>', /answered HTTP 200 with something other than JSON$/],
      [200, '{"token_type":"Bearer"}', /answered HTTP 200 without an access_token$/],
      [200, '{"access_token":""}', /without an access_token$/],
    ];
    for (const [status, body, expected] of cases) {
      const error = readTokenAnswer(status, body, ENDPOINT, NOW) as TokenEndpointError;
      should(error.kind).equal('failed');
      should(error.message).startWith(`the OAuth token endpoint ${ENDPOINT} `);
      should(error.message).match(expected);
      should(classifyFailure(error)).equal('failed');
    }
  });

  it("cuts an endpoint's long error description short", () => {
    const body = JSON.stringify({ error: 'server_error', error_description: 'x'.repeat(5000) });
    should((readTokenAnswer(500, body, ENDPOINT, NOW) as Error).message.length).be.below(400);
  });

  it('tells a TLS failure at the endpoint apart from an endpoint that is down', () => {
    const untrusted = new TokenEndpointError(
      'unreachable',
      'the OAuth token endpoint … is unreachable',
      'SELF_SIGNED_CERT_IN_CHAIN',
    );
    should(classifyFailure(untrusted)).equal('tls-failed');
    should(classifyFailure(new TokenEndpointError('unreachable', 'down', 'ECONNREFUSED'))).equal(
      'unreachable',
    );
  });

  it('names the endpoint without its query or user info', () => {
    should(endpointName('https://user:pw@idp.example:8443/token?tenant=a&key=b')).equal(
      'https://idp.example:8443/token',
    );
    should(endpointName('not a url')).equal('the configured token URL');
  });

  it('form-urlencodes the client id and secret before base64 (RFC 6749 2.3.1)', () => {
    const header = basicAuthorization('my client', SECRET);
    const decoded = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString('utf8');
    should(decoded).equal('my+client:p%40ss%3Aw+rd%2F%2B%26%3D');
  });
});

describe('OAuth client-credentials token fetch', () => {
  let idp: IdentityProvider;
  beforeEach(async () => {
    idp = await startIdentityProvider({ clients: { 'my client': SECRET }, tokenLifetimeS: 120 });
  });
  afterEach(async () => idp.stop());

  function tokens(secret = SECRET) {
    return clientCredentialsTokens({
      tokenUrl: idp.tokenUrl,
      clientId: 'my client',
      clientSecret: secret,
      scope: 'kafka',
    });
  }

  it('gets a token with basic auth and its expiry from expires_in', async () => {
    const before = Date.now();
    const token = await tokens()();
    should(idp.issued).eql([token.value]);
    should(token.expiresAt).be.within(before + 120_000, Date.now() + 120_000);
    should(idp.requests).match([{ clientId: 'my client', via: 'basic', granted: true }]);
  });

  it('sends scope and audience when set, and not when blank', async () => {
    const forms: string[] = [];
    const post = async (_url: string, form: string): Promise<EndpointAnswer> => {
      forms.push(form);
      return { status: 200, body: '{"access_token":"t","expires_in":60}' };
    };
    const settings = { tokenUrl: ENDPOINT, clientId: 'c', clientSecret: 's' };
    await clientCredentialsTokens({ ...settings, scope: 'a b', audience: 'kafka' }, post)();
    await clientCredentialsTokens({ ...settings, scope: '', audience: undefined }, post)();
    should(forms).eql([
      'grant_type=client_credentials&scope=a+b&audience=kafka',
      'grant_type=client_credentials',
    ]);
  });

  it('falls back to the form when the endpoint refuses basic auth, and keeps to it', async () => {
    idp.acceptFormOnly(true);
    const fetch = tokens();
    await fetch();
    await fetch();
    should(idp.requests.map((request) => `${request.via} ${request.granted}`)).eql([
      'basic false',
      'form true',
      'form true',
    ]);
  });

  it('reports a refused secret as auth-failed after one request of each kind, never quoting the secret', async () => {
    const error = await tokens('wrong secret')().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    should(classifyFailure(error)).equal('auth-failed');
    should(rootMessage(error)).containEql(idp.tokenUrl);
    should(rootMessage(error)).not.containEql('wrong secret');
    should(idp.requests.map((request) => request.via)).eql(['basic', 'form']);
  });

  it('reports an endpoint that is down as unreachable, naming it', async () => {
    await idp.stop();
    const error = await tokens()().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    should(classifyFailure(error)).equal('unreachable');
    should(rootMessage(error)).startWith(`the OAuth token endpoint ${idp.tokenUrl} is unreachable: `);
    should(rootMessage(error)).match(/ECONNREFUSED/);
  });

  it('gives up on an endpoint that does not answer within the timeout', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/token`;
    try {
      const error = await postForm(url, 'grant_type=client_credentials', {}, 200).then(
        () => undefined,
        (failure: NodeJS.ErrnoException) => failure,
      );
      should(error).have.properties({ code: 'ETIMEDOUT', message: 'no answer within 0.2 s' });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
