import {
  BROKER_RULES,
  checkSettings,
  type BrokerProblemKey,
  type SaslMechanism,
  type SettingProblem,
} from './setting-rules';

/** kafka-broker properties as they stand in flow JSON; credentials and the TLS node are apart. */
export interface BrokerConfig {
  brokers?: string;
  client_id?: string;
  use_tls?: boolean | string;
  sasl_mechanism?: string;
  oauth_token_url?: string;
  oauth_client_id?: string;
  oauth_scope?: string;
  oauth_audience?: string;
  aws_region?: string;
  schema_registry_url?: string;
}

/** Where an OAUTHBEARER login gets its tokens (the client secret is a credential). */
export interface OAuthSettings {
  tokenUrl: string;
  clientId: string;
  scope: string | undefined;
  audience: string | undefined;
}

export interface BrokerSettings {
  /** The configured list; empty means KAFKA_BROKERS. */
  brokers: string[];
  clientId: string;
  /** TLS with the system's CAs when no tls-config node is chosen. */
  useTls: boolean;
  mechanism: SaslMechanism;
  /** Set with mechanism oauthbearer. */
  oauth: OAuthSettings | undefined;
  /** Set with mechanism aws-msk-iam. */
  awsRegion: string | undefined;
  /** Undefined: no Schema Registry. */
  schemaRegistryUrl: string | undefined;
}

export type BrokerSettingsResult =
  { settings: BrokerSettings } | { problem: SettingProblem<BrokerProblemKey> };

/** Checks a broker node's settings with their rules, in the modes that read them, and applies the defaults. */
export function resolveBrokerSettings(config: BrokerConfig): BrokerSettingsResult {
  const checked = checkSettings<BrokerProblemKey, typeof BROKER_RULES>(BROKER_RULES, config);
  if ('problem' in checked) return checked;
  const { values } = checked;
  return {
    settings: {
      brokers: values.brokers,
      clientId: values.client_id,
      useTls: values.use_tls,
      mechanism: values.sasl_mechanism,
      oauth:
        values.oauth_token_url !== undefined && values.oauth_client_id !== undefined
          ? {
              tokenUrl: values.oauth_token_url,
              clientId: values.oauth_client_id,
              scope: values.oauth_scope,
              audience: values.oauth_audience,
            }
          : undefined,
      awsRegion: values.aws_region,
      schemaRegistryUrl: values.schema_registry_url,
    },
  };
}
