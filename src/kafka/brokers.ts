const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/;

/** Splits a comma-separated broker list, trimming blanks away. */
export function parseBrokerList(list: string | undefined): string[] {
  if (!list) return [];
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

/** The entries that are not `host:port` with a port from 1 to 65535. */
export function invalidBrokers(brokers: string[]): string[] {
  return brokers.filter((broker) => {
    const match = HOST_PORT.exec(broker);
    if (!match) return true;
    const port = Number(match[2]);
    return port < 1 || port > 65535;
  });
}

/** The config node's list when it has one, else the KAFKA_BROKERS environment variable. */
export function resolveBrokers(configured: string | undefined, environment: string | undefined): string[] {
  const fromConfig = parseBrokerList(configured);
  return fromConfig.length > 0 ? fromConfig : parseBrokerList(environment);
}
