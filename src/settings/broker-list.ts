import { isBrokerAddress, parseBrokerList } from './setting-rules';

/** The entries that are not `host:port` with a port from 1 to 65535. */
export function invalidBrokers(brokers: string[]): string[] {
  return brokers.filter((broker) => !isBrokerAddress(broker));
}

/** The config node's list when it has one, else the KAFKA_BROKERS environment variable. */
export function resolveBrokers(configured: string | undefined, environment: string | undefined): string[] {
  const fromConfig = parseBrokerList(configured);
  return fromConfig.length > 0 ? fromConfig : parseBrokerList(environment);
}
