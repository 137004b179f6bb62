import { isBrokerAddress, parseBrokerList } from './setting-rules';

/**
 * The brokers a node connects to: its kafka-broker node's list when that has one, else the
 * KAFKA_BROKERS environment variable. `invalid` names the entries that are not `host:port` with a
 * port from 1 to 65535.
 */
export type BrokerList =
  | { brokers: string[]; fromEnvironment: boolean }
  | { brokers: string[]; fromEnvironment: boolean; invalid: string[] };

export function brokerList(configured: string | undefined, envValue: string | undefined): BrokerList {
  const fromConfig = parseBrokerList(configured);
  const fromEnvironment = fromConfig.length === 0;
  const brokers = fromEnvironment ? parseBrokerList(envValue) : fromConfig;
  const invalid = brokers.filter((broker) => !isBrokerAddress(broker));
  return invalid.length > 0 ? { brokers, fromEnvironment, invalid } : { brokers, fromEnvironment };
}
