import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import type { SaslMechanism } from '../settings/setting-rules';

export interface SecuritySettings {
  sasl: SASLOptions | undefined;
  /** true for TLS with Node's defaults, options from a tls-config node, or false for plain TCP. */
  ssl: ConnectionOptions | boolean;
}

export interface SecurityInput {
  /** The kafka-broker node's sasl_mechanism, checked by its rule. */
  mechanism: SaslMechanism;
  username?: string;
  password?: string;
  /** TLS options when the connection uses TLS, undefined for plain TCP. */
  tls?: ConnectionOptions;
}

export type SecurityResult =
  { security: SecuritySettings } | { problem: { key: string; params: Record<string, string> } };

/** Turns the broker node's SASL and TLS settings into kafkajs options, or names what is missing. */
export function resolveSecurity(input: SecurityInput): SecurityResult {
  const { mechanism } = input;
  const ssl = input.tls ?? false;
  if (mechanism === 'none') return { security: { sasl: undefined, ssl } };
  if (!input.username || !input.password) {
    return { problem: { key: 'missing-credentials', params: { mechanism } } };
  }
  return {
    security: { sasl: { mechanism, username: input.username, password: input.password }, ssl },
  };
}
