import { createHash, createHmac } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import should from 'should';
import { mskIamProblem, mskIamTokenFetcher, type MskIamLogin } from '../../src/client/msk-iam-token';
import { TokenCache } from '../../src/client/token-cache';
import { loginTokens } from '../../src/client/login-tokens';
import { classifyFailure } from '../../src/client/failure';
import { useFakeClock } from '../support/fake-clock';

// Made-up keys in AWS's documented example format: nothing here reaches AWS.
const KEYS = {
  region: 'eu-west-1',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
} satisfies MskIamLogin;
// Characters that URL encoding must get right: +, / and =.
const SESSION_TOKEN = 'FwoGZXIvYXdzEXAMPLE+session/token==';
const SIGNED_AT = Date.UTC(2026, 0, 15, 10, 30, 0);
const EMPTY_BODY_SHA256 = createHash('sha256').update('').digest('hex');

type Signer = typeof import('aws-msk-iam-sasl-signer-js');

/** The real signer, counting how often it signs. */
function countingSigner() {
  const counter = { signed: 0 };
  const load = async (): Promise<Signer> => {
    const real = await import('aws-msk-iam-sasl-signer-js');
    return {
      ...real,
      generateAuthToken: (options) => {
        counter.signed += 1;
        return real.generateAuthToken(options);
      },
      generateAuthTokenFromCredentialsProvider: (options) => {
        counter.signed += 1;
        return real.generateAuthTokenFromCredentialsProvider(options);
      },
    };
  };
  return { counter, load };
}

function decode(token: string): URL {
  should(token).match(/^[A-Za-z0-9_-]+$/, 'a base64url token without padding');
  return new URL(Buffer.from(token, 'base64url').toString('utf8'));
}

/** RFC 3986 encoding, as SigV4's canonical query string wants it. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** AWS Signature Version 4 of a presigned GET, computed here from its definition. */
function expectedSignature(url: URL, secretAccessKey: string): string {
  const params = [...url.searchParams].filter(
    ([name]) => name !== 'X-Amz-Signature' && name !== 'User-Agent',
  );
  const canonicalQuery = params
    .map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`)
    .sort()
    .join('&');
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${url.host}\n`, 'host', EMPTY_BODY_SHA256].join(
    '\n',
  );
  const amzDate = url.searchParams.get('X-Amz-Date')!;
  const scope = url.searchParams.get('X-Amz-Credential')!.split('/').slice(1).join('/');
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const [day, region, service, terminator] = scope.split('/');
  let key: Buffer = Buffer.from(`AWS4${secretAccessKey}`);
  for (const part of [day, region, service, terminator])
    key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/** Sets AWS variables for one test and puts the old values back afterwards. */
function useAwsEnvironment(): (values: Record<string, string | undefined>) => void {
  const saved = new Map<string, string | undefined>();
  afterEach(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    saved.clear();
  });
  return (values) => {
    for (const [name, value] of Object.entries(values)) {
      if (!saved.has(name)) saved.set(name, process.env[name]);
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** An environment where the standard chain finds nothing, and never asks an instance metadata service. */
const NO_AWS_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_CREDENTIAL_EXPIRATION: undefined,
  AWS_PROFILE: undefined,
  AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
  AWS_ROLE_ARN: undefined,
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), 'kafka-trigger-no-aws-credentials'),
  AWS_CONFIG_FILE: join(tmpdir(), 'kafka-trigger-no-aws-config'),
  AWS_EC2_METADATA_DISABLED: 'true',
};

describe('MSK IAM token', () => {
  const fake = useFakeClock();
  const setEnvironment = useAwsEnvironment();
  beforeEach(() => fake.clock.setSystemTime(SIGNED_AT));

  it('is a presigned kafka-cluster:Connect request for the region, with a signature that checks out', async () => {
    const { value, expiresAt } = await mskIamTokenFetcher({ ...KEYS, sessionToken: SESSION_TOKEN })();
    const url = decode(value);
    should(url.protocol).equal('https:');
    should(url.host).equal('kafka.eu-west-1.amazonaws.com');
    should(url.pathname).equal('/');
    const query = Object.fromEntries(url.searchParams);
    should(query).containEql({
      Action: 'kafka-cluster:Connect',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIAIOSFODNN7EXAMPLE/20260115/eu-west-1/kafka-cluster/aws4_request',
      'X-Amz-Date': '20260115T103000Z',
      'X-Amz-Expires': '900',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Security-Token': SESSION_TOKEN,
    });
    should(query['User-Agent']).match(/^aws-msk-iam-sasl-signer-js\/\d+\.\d+\.\d+$/);
    should(query['X-Amz-Signature']).match(/^[0-9a-f]{64}$/);
    should(query['X-Amz-Signature']).equal(expectedSignature(url, KEYS.secretAccessKey));
    // The cache's expiry is the token's own: its signing time plus X-Amz-Expires.
    should(expiresAt).equal(SIGNED_AT + 900_000);
  });

  it('carries no security token when only a key pair is given, and a wrong secret changes the signature', async () => {
    const url = decode((await mskIamTokenFetcher(KEYS)()).value);
    should(url.searchParams.has('X-Amz-Security-Token')).be.false();
    const signature = url.searchParams.get('X-Amz-Signature');
    should(signature).equal(expectedSignature(url, KEYS.secretAccessKey));
    should(signature).not.equal(expectedSignature(url, `${KEYS.secretAccessKey}x`));
  });

  it('with blank keys uses the standard AWS chain, here the environment, and expires with its credentials', async () => {
    setEnvironment({
      ...NO_AWS_CREDENTIALS,
      AWS_ACCESS_KEY_ID: 'AKIDENVIRONMENTEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'environment/secret/EXAMPLE',
      AWS_SESSION_TOKEN: 'environment-session',
      AWS_CREDENTIAL_EXPIRATION: new Date(SIGNED_AT + 300_000).toISOString(),
    });
    const { value, expiresAt } = await mskIamTokenFetcher({ region: 'us-east-1' })();
    const url = decode(value);
    should(url.host).equal('kafka.us-east-1.amazonaws.com');
    should(url.searchParams.get('X-Amz-Credential')).equal(
      'AKIDENVIRONMENTEXAMPLE/20260115/us-east-1/kafka-cluster/aws4_request',
    );
    should(url.searchParams.get('X-Amz-Security-Token')).equal('environment-session');
    should(url.searchParams.get('X-Amz-Expires')).equal('300');
    should(url.searchParams.get('X-Amz-Signature')).equal(
      expectedSignature(url, 'environment/secret/EXAMPLE'),
    );
    should(expiresAt).equal(SIGNED_AT + 300_000);
  });

  it('is signed once per lifetime through the token cache, not per connection, and renewed before it expires', async () => {
    const { counter, load } = countingSigner();
    const cache = new TokenCache({ fetch: mskIamTokenFetcher(KEYS, load), now: () => fake.clock.now });
    const first = await Promise.all(Array.from({ length: 20 }, () => cache.get()));
    should(counter.signed).equal(1);
    should(new Set(first.map((token) => token.value)).size).equal(1);

    // Connections keep authenticating for most of the 15 minutes without a new signature.
    for (let minute = 1; minute <= 11; minute += 1) {
      fake.clock.tick(60_000);
      should((await cache.get()).value).equal(first[0].value);
    }
    should(counter.signed).equal(1);

    // After 80% of 900 s (720 s) the next get() signs anew, well before the old token expires.
    fake.clock.tick(60_000);
    const renewed = await cache.get();
    should(counter.signed).equal(2);
    should(renewed.value).not.equal(first[0].value);
    should(decode(renewed.value).searchParams.get('X-Amz-Date')).equal('20260115T104200Z');
    should(renewed.expiresAt).equal(SIGNED_AT + 720_000 + 900_000);
    should(first[0].expiresAt - fake.clock.now).equal(180_000);
  });

  it('without keys and without credentials in the chain fails with a clear auth error saying where credentials come from', async () => {
    setEnvironment(NO_AWS_CREDENTIALS);
    const error = await mskIamTokenFetcher({ region: 'eu-west-1' })().then(
      () => new Error('a token was signed without credentials'),
      (rejected: unknown) => rejected as Error,
    );
    should(error.message)
      .startWith('AWS MSK IAM found no usable AWS credentials')
      .and.containEql("fill in the broker node's access key ID and secret access key")
      .and.containEql('AWS_PROFILE');
    should(classifyFailure(error)).equal('auth-failed');
  });

  describe('as the broker node builds it (loginTokens)', () => {
    const input = { mechanism: 'aws-msk-iam' as const, oauth: undefined, oauthClientSecret: undefined };

    it("gives one token cache that signs for the region with the node's keys", async () => {
      const login = loginTokens({ ...input, awsRegion: 'ap-southeast-2', awsKeys: KEYS });
      should(login).have.property('tokens').which.is.instanceOf(TokenCache);
      const { tokens } = login as { tokens: TokenCache };
      const url = decode((await tokens.get()).value);
      should(url.host).equal('kafka.ap-southeast-2.amazonaws.com');
      should(url.searchParams.get('X-Amz-Credential')).startWith(`${KEYS.accessKeyId}/`);
    });

    it('answers half a key pair as the settings problem, before any signing', () => {
      should(
        loginTokens({ ...input, awsRegion: 'eu-west-1', awsKeys: { accessKeyId: KEYS.accessKeyId } }),
      ).eql({
        problem: {
          key: 'aws-keys-incomplete',
          params: { given: 'aws_access_key_id', missing: 'aws_secret_access_key' },
        },
      });
    });
  });

  describe('settings problems', () => {
    const installed = () => '/the/signer';
    it('accepts blank keys (the chain), a key pair, and a key pair with a session token', () => {
      should(mskIamProblem({ region: 'eu-west-1' }, installed)).be.undefined();
      should(mskIamProblem(KEYS, installed)).be.undefined();
      should(mskIamProblem({ ...KEYS, sessionToken: SESSION_TOKEN }, installed)).be.undefined();
    });

    it('names the missing half of a key pair, never a value', () => {
      should(mskIamProblem({ region: 'eu-west-1', accessKeyId: KEYS.accessKeyId }, installed)).eql({
        problem: {
          key: 'aws-keys-incomplete',
          params: { given: 'aws_access_key_id', missing: 'aws_secret_access_key' },
        },
      });
      should(mskIamProblem({ region: 'eu-west-1', secretAccessKey: KEYS.secretAccessKey }, installed)).eql({
        problem: {
          key: 'aws-keys-incomplete',
          params: { given: 'aws_secret_access_key', missing: 'aws_access_key_id' },
        },
      });
      should(mskIamProblem({ region: 'eu-west-1', sessionToken: SESSION_TOKEN }, installed)).eql({
        problem: {
          key: 'aws-keys-incomplete',
          params: { given: 'aws_session_token', missing: 'aws_access_key_id' },
        },
      });
    });

    it('says which package to install when the signer is missing', () => {
      const notInstalled = (name: string): string => {
        throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
      };
      should(mskIamProblem(KEYS, notInstalled)).eql({
        problem: { key: 'aws-signer-missing', params: { package: 'aws-msk-iam-sasl-signer-js' } },
      });
      should(mskIamProblem(KEYS)).be.undefined();
    });
  });
});
