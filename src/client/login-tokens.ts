import type { OAuthSettings } from '../settings/broker-settings';
import type { SaslMechanism } from '../settings/setting-rules';
import { clientCredentialsTokens } from './oauth-client-credentials';
import { TokenCache } from './token-cache';

/** What a broker node knows that a token login may need: its settings and its credentials. */
export interface LoginTokenInput {
  mechanism: SaslMechanism;
  oauth: OAuthSettings | undefined;
  oauthClientSecret: string | undefined;
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
  // aws-msk-iam: its signed token is added here; until then resolveSecurity answers missing-token-source.
  return { tokens: undefined };
}
