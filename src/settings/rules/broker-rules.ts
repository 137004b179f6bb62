// The kafka-broker settings: flow JSON name, default and check. The login settings of oauthbearer and
// aws-msk-iam are read only with their mechanism.
import {
  onlyWhen,
  problem,
  text,
  whenChosen,
  type Checked,
  type ChoiceRule,
  type SettingMode,
  type SettingRule,
} from './common';

/** Every problem a broker setting can have; the message is `kafka-broker.errors.<key>`. */
export const BROKER_PROBLEM_KEYS = [
  'invalid-broker',
  'invalid-sasl',
  'invalid-registry-url',
  'invalid-token-url',
  'missing-oauth-client-id',
  'invalid-aws-region',
] as const;
export type BrokerProblemKey = (typeof BROKER_PROBLEM_KEYS)[number];

/** What kafkajs calls this client when the broker node leaves the client id blank. */
export const DEFAULT_CLIENT_ID = 'node-red-kafka-trigger';

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/;

/** `host:port` (a bracketed IPv6 address as host) with a port from 1 to 65535. */
export function isBrokerAddress(entry: string): boolean {
  const match = HOST_PORT.exec(entry);
  const port = match ? Number(match[2]) : 0;
  return port >= 1 && port <= 65535;
}

/** An absolute http: or https: URL with a host. */
export function isHttpUrl(entry: string): boolean {
  try {
    const url = new URL(entry);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Splits a comma-separated broker list, trimming blanks away. */
export function parseBrokerList(list: string | undefined): string[] {
  if (!list) return [];
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

export const SASL_MECHANISMS = [
  'none',
  'plain',
  'scram-sha-256',
  'scram-sha-512',
  'oauthbearer',
  'aws-msk-iam',
] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export function isSaslMechanism(value: string): value is SaslMechanism {
  return (SASL_MECHANISMS as readonly string[]).includes(value);
}

const SASL_MECHANISM_RULE = saslMechanismRule();
const WITH_OAUTH = whenChosen('sasl_mechanism', SASL_MECHANISM_RULE, 'oauthbearer');
const WITH_MSK_IAM = whenChosen('sasl_mechanism', SASL_MECHANISM_RULE, 'aws-msk-iam');
/** An AWS region name such as eu-west-1 or us-gov-west-1. */
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export const BROKER_RULES = {
  /** Blank means the KAFKA_BROKERS environment variable: see brokerList(). */
  brokers: {
    defaultValue: '',
    check(value: unknown): Checked<string[], BrokerProblemKey> {
      const brokers = parseBrokerList(text(value));
      const invalid = brokers.filter((entry) => !isBrokerAddress(entry));
      return invalid.length === 0
        ? { value: brokers }
        : problem('invalid-broker', 'brokers', { broker: invalid.join(', ') });
    },
  },
  /** Blank means DEFAULT_CLIENT_ID. */
  client_id: {
    defaultValue: '',
    check: (value: unknown): { value: string } => ({ value: text(value) || DEFAULT_CLIENT_ID }),
  },
  /** TLS with the system's CAs when no tls-config node is chosen; a tls-config node means TLS anyway. */
  use_tls: {
    defaultValue: false,
    check: (value: unknown): { value: boolean } => ({ value: value === true || value === 'true' }),
  },
  sasl_mechanism: SASL_MECHANISM_RULE,
  oauth_token_url: onlyWhen(WITH_OAUTH, {
    defaultValue: '',
    check(value: unknown): Checked<string, BrokerProblemKey> {
      const url = text(value).trim();
      return isHttpUrl(url) ? { value: url } : problem('invalid-token-url', 'oauth_token_url', { url });
    },
  }),
  oauth_client_id: onlyWhen(WITH_OAUTH, {
    defaultValue: '',
    check(value: unknown): Checked<string, BrokerProblemKey> {
      const id = text(value).trim();
      return id ? { value: id } : problem('missing-oauth-client-id', 'oauth_client_id', {});
    },
  }),
  /** Blank: no scope parameter in the token request. */
  oauth_scope: onlyWhen(WITH_OAUTH, {
    defaultValue: '',
    check: (value: unknown): { value: string | undefined } => ({ value: text(value).trim() || undefined }),
  }),
  /** Blank: no audience parameter in the token request. */
  oauth_audience: onlyWhen(WITH_OAUTH, {
    defaultValue: '',
    check: (value: unknown): { value: string | undefined } => ({ value: text(value).trim() || undefined }),
  }),
  aws_region: onlyWhen(WITH_MSK_IAM, {
    defaultValue: '',
    check(value: unknown): Checked<string, BrokerProblemKey> {
      const region = text(value).trim();
      return AWS_REGION.test(region)
        ? { value: region }
        : problem('invalid-aws-region', 'aws_region', { region });
    },
  }),
  /** Blank means no Schema Registry. */
  schema_registry_url: {
    defaultValue: '',
    check(value: unknown): Checked<string | undefined, BrokerProblemKey> {
      const url = text(value).trim();
      if (!url) return { value: undefined };
      return isHttpUrl(url)
        ? { value: url.replace(/\/+$/, '') }
        : problem('invalid-registry-url', 'schema_registry_url', { url });
    },
  },
} satisfies Record<string, SettingRule<unknown, BrokerProblemKey>>;

/** Blank means none. */
function saslMechanismRule(): ChoiceRule<SaslMechanism, BrokerProblemKey> {
  return {
    defaultValue: 'none',
    choices: SASL_MECHANISMS,
    check(value) {
      const mechanism = value ? text(value) : 'none';
      return isSaslMechanism(mechanism)
        ? { value: mechanism }
        : problem('invalid-sasl', 'sasl_mechanism', { mechanism });
    },
  };
}

/** The mechanisms that log in with a user name and password. */
const WITH_PASSWORD = whenChosen(
  'sasl_mechanism',
  SASL_MECHANISM_RULE,
  'plain',
  'scram-sha-256',
  'scram-sha-512',
);

/**
 * The mechanism that reads each kafka-broker login credential. Credentials have no rules (Node-RED
 * keeps them apart from flow JSON), but the dialog shows each only in its mode, like a moded setting.
 */
export const BROKER_CREDENTIAL_MODES = {
  username: { appliesWhen: WITH_PASSWORD },
  password: { appliesWhen: WITH_PASSWORD },
  oauth_client_secret: { appliesWhen: WITH_OAUTH },
  aws_access_key_id: { appliesWhen: WITH_MSK_IAM },
  aws_secret_access_key: { appliesWhen: WITH_MSK_IAM },
  aws_session_token: { appliesWhen: WITH_MSK_IAM },
} satisfies Record<string, { appliesWhen: SettingMode }>;
