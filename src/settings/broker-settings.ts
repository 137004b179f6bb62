import {
  BROKER_RULES,
  type BrokerProblemKey,
  type SaslMechanism,
  type SettingProblem,
} from './setting-rules';

/** kafka-broker properties as they stand in flow JSON; credentials and the TLS node are apart. */
export interface BrokerConfig {
  brokers?: string;
  client_id?: string;
  sasl_mechanism?: string;
  schema_registry_url?: string;
}

export interface BrokerSettings {
  /** The configured list; empty means KAFKA_BROKERS. */
  brokers: string[];
  clientId: string;
  mechanism: SaslMechanism;
  /** Undefined: no Schema Registry. */
  schemaRegistryUrl: string | undefined;
}

export type BrokerSettingsResult =
  { settings: BrokerSettings } | { problem: SettingProblem<BrokerProblemKey> };

/** Checks a broker node's settings with their rules and applies the defaults. */
export function resolveBrokerSettings(config: BrokerConfig): BrokerSettingsResult {
  const brokers = BROKER_RULES.brokers.check(config.brokers);
  if ('problem' in brokers) return brokers;
  const clientId = BROKER_RULES.client_id.check(config.client_id);
  const mechanism = BROKER_RULES.sasl_mechanism.check(config.sasl_mechanism);
  if ('problem' in mechanism) return mechanism;
  const schemaRegistryUrl = BROKER_RULES.schema_registry_url.check(config.schema_registry_url);
  if ('problem' in schemaRegistryUrl) return schemaRegistryUrl;
  return {
    settings: {
      brokers: brokers.value,
      clientId: clientId.value,
      mechanism: mechanism.value,
      schemaRegistryUrl: schemaRegistryUrl.value,
    },
  };
}
