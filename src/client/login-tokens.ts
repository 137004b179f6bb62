import type { OAuthSettings } from '../settings/broker-settings';
import type { SaslMechanism } from '../settings/setting-rules';
import { clientCredentialsTokens } from './oauth-client-credentials';
import { mskIamProblem, mskIamTokenFetcher, type MskIamLogin } from './msk-iam-token';
import { TokenCache } from './token-cache';

/** What a broker node knows that a token login may need: its settings and its credentials. */
export interface LoginTokenInput {
  mechanism: SaslMechanism;
  oauth: OAuthSettings | undefined;
  oauthClientSecret: string | undefined;
  /** Set with mechanism aws-msk-iam. */
  awsRegion: string | undefined;
  /** The node's optional AWS keys; blank ones mean the standard AWS credential chain. */
  awsKeys: Omit<MskIamLogin, 'region'>;
}

export type LoginTokens =
  { tokens: TokenCache | undefined } | { problem: { key: string; params: Record<string, string> } };

/**
 * The token source of a broker node whose mechanism logs in with a token: one TokenCache, shared by
 * every client the node makes. Other mechanisms get none.
 */
export function loginTokens(input: LoginTokenInput): LoginTokens {
  if (input.mechanism === 'oauthbearer') {
    // The rules make oauth present with this mechanism; the secret is a credential they cannot see.
    if (!input.oauth) return { tokens: undefined };
    if (!input.oauthClientSecret) return { problem: { key: 'missing-oauth-client-secret', params: {} } };
    const fetch = clientCredentialsTokens({ ...input.oauth, clientSecret: input.oauthClientSecret });
    return { tokens: new TokenCache({ fetch }) };
  }
  if (input.mechanism === 'aws-msk-iam') {
    // The rules make the region present with this mechanism.
    if (!input.awsRegion) return { tokens: undefined };
    const login = { ...input.awsKeys, region: input.awsRegion };
    const problem = mskIamProblem(login);
    if (problem) return problem;
    return { tokens: new TokenCache({ fetch: mskIamTokenFetcher(login) }) };
  }
  return { tokens: undefined };
}
