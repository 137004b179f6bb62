import type { ConnectionOptions } from 'node:tls';
import type { Mechanism, SASLOptions } from 'kafkajs';
import type { SaslMechanism } from '../settings/setting-rules';
import type { TokenCache } from './token-cache';
import { oauthBearerLogin } from './oauthbearer-login';

export interface SecuritySettings {
  /** kafkajs's own mechanisms, or the OAUTHBEARER login that reports a refused token (a Mechanism). */
  sasl: SASLOptions | Mechanism | undefined;
  /** true for TLS with Node's defaults, options from a tls-config node, or false for plain TCP. */
  ssl: ConnectionOptions | boolean;
}

export interface SecurityInput {
  /** The kafka-broker node's sasl_mechanism, checked by its rule. */
  mechanism: SaslMechanism;
  username?: string;
  password?: string;
  /** TLS options from a tls-config node; they mean TLS whatever useTls says. */
  tls?: ConnectionOptions;
  /** TLS with the system's CAs when there is no tls-config node. */
  useTls?: boolean;
  /** The broker node's tokens, for the mechanisms that log in with one (oauthbearer, aws-msk-iam). */
  tokens?: TokenCache;
}

export type SecurityResult =
  { security: SecuritySettings } | { problem: { key: string; params: Record<string, string> } };

/** Turns the broker node's SASL and TLS settings into kafkajs options, or names what is missing. */
export function resolveSecurity(input: SecurityInput): SecurityResult {
  const { mechanism, tokens } = input;
  const ssl = input.tls ?? input.useTls === true;
  if (mechanism === 'none') return { security: { sasl: undefined, ssl } };
  if (mechanism === 'oauthbearer' || mechanism === 'aws-msk-iam') {
    if (!tokens) return { problem: { key: 'missing-token-source', params: { mechanism } } };
    // MSK IAM is a signed token sent over OAUTHBEARER; kafkajs's own 'aws' mechanism is not what MSK accepts.
    const sasl = oauthBearerLogin(async () => (await tokens.get()).value);
    return { security: { sasl, ssl } };
  }
  if (!input.username || !input.password) {
    return { problem: { key: 'missing-credentials', params: { mechanism } } };
  }
  const sasl: SASLOptions = { mechanism, username: input.username, password: input.password };
  return { security: { sasl, ssl } };
}
