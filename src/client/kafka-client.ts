import { Kafka, type logLevel } from 'kafkajs';
import type { SecuritySettings } from './connection-security';
import { registerCompressionCodecs } from './codecs';
import { kafkajsLogCreator, type LogSink } from './kafkajs-logging';
import { skipIdleRequestChecks } from './request-queue-checks';
import { DEFAULT_CLIENT_ID } from '../settings/setting-rules';

/**
 * kafkajs's own retries stay short (about 2 s) so that a broker outage quickly reaches the
 * trigger's own capped backoff, which retries for ever and reports each attempt.
 */
const CLIENT_RETRY = { initialRetryTime: 300, maxRetryTime: 30000, retries: 3 };

export interface KafkaClientOptions {
  brokers: string[];
  clientId?: string;
  security?: SecuritySettings;
  /** kafkajs retries per request; the editor's connection test wants a quick answer. */
  retries?: number;
  log: { sink: LogSink; prefix: string; level: logLevel };
}

/** A kafkajs client with the given security that can read and write every compression codec Kafka has. */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  registerCompressionCodecs();
  skipIdleRequestChecks();
  return new Kafka({
    brokers: options.brokers,
    clientId: options.clientId || DEFAULT_CLIENT_ID,
    ssl: options.security?.ssl ?? false,
    sasl: options.security?.sasl,
    retry: { ...CLIENT_RETRY, retries: options.retries ?? CLIENT_RETRY.retries },
    logLevel: options.log.level,
    logCreator: kafkajsLogCreator(options.log.sink, options.log.prefix),
  });
}
