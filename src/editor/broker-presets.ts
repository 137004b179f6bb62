// The kafka-broker dialog's presets for managed Kafka services: an editor aid only. Picking one fills
// settings the node stores anyway (mechanism, use_tls, the brokers' port); the preset itself is never
// stored. Names and hints are in the locales under kafka-broker.preset.<id>.
import { parseBrokerList, type SaslMechanism } from '../settings/setting-rules';

export type BrokerPresetId =
  'confluent-cloud' | 'msk-iam' | 'msk-scram' | 'event-hubs' | 'aiven' | 'redpanda-cloud' | 'local';

export interface BrokerPreset {
  readonly id: BrokerPresetId;
  readonly mechanism: SaslMechanism;
  readonly useTls: boolean;
  /** The service's usual port; undefined where each service has its own (Aiven). */
  readonly port: number | undefined;
  /** A user name every login of the service uses (Event Hubs' `$ConnectionString`). */
  readonly username?: string;
  /** What the broker list looks like, shown while it is blank. */
  readonly example: string;
}

export const BROKER_PRESETS: readonly BrokerPreset[] = [
  {
    id: 'confluent-cloud',
    mechanism: 'plain',
    useTls: true,
    port: 9092,
    example: 'pkc-xxxxx.eu-west-1.aws.confluent.cloud:9092',
  },
  {
    id: 'msk-iam',
    mechanism: 'aws-msk-iam',
    useTls: true,
    port: 9098,
    example: 'b-1.cluster.xxxxxx.c2.kafka.eu-west-1.amazonaws.com:9098',
  },
  {
    id: 'msk-scram',
    mechanism: 'scram-sha-512',
    useTls: true,
    port: 9096,
    example: 'b-1.cluster.xxxxxx.c2.kafka.eu-west-1.amazonaws.com:9096',
  },
  {
    id: 'event-hubs',
    mechanism: 'plain',
    useTls: true,
    port: 9093,
    username: '$ConnectionString',
    example: 'namespace.servicebus.windows.net:9093',
  },
  {
    id: 'aiven',
    mechanism: 'scram-sha-256',
    useTls: true,
    port: undefined,
    example: 'kafka-project.aivencloud.com:port',
  },
  {
    id: 'redpanda-cloud',
    mechanism: 'scram-sha-256',
    useTls: true,
    port: 9092,
    example: 'seed-xxxxx.cluster.prd.cloud.redpanda.com:9092',
  },
  { id: 'local', mechanism: 'none', useTls: false, port: 9092, example: 'localhost:9092' },
];

const HOST_AND_PORT = /^(\[[^\]]*\]|[^:[\]]+)(?::[^:]*)?$/;

/**
 * The broker list with `port` on every entry: a typed port is replaced, a host alone gets it. An
 * entry that is not a host (a `${VAR}` list, a bare IPv6 address) is left as it is.
 */
export function withPort(brokers: string, port: number): string {
  if (/^\$\{[^}]+\}$/.test(brokers.trim())) return brokers;
  return parseBrokerList(brokers)
    .map((entry) => {
      const match = HOST_AND_PORT.exec(entry);
      return match && !match[1].startsWith('${') ? `${match[1]}:${port}` : entry;
    })
    .join(',');
}
