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

/**
 * How long before the end of a SASL session (a broker's connections.max.reauth.ms, or a login
 * token's expiry if sooner) kafkajs re-authenticates, on the connection's next request. kafkajs's
 * 10 s default breaks token logins: once a token has less than 10 s left, every session is shorter
 * than the threshold, kafkajs re-authenticates again straight after each re-authentication, and the
 * broker answers ILLEGAL_SASL_STATE and drops the connection. 3 s is still ample for a request to
 * reach the broker, and below the rest of a token renewed after 80% of its lifetime (at least 15 s).
 */
export const REAUTHENTICATION_THRESHOLD_MS = 3000;

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
    reauthenticationThreshold: REAUTHENTICATION_THRESHOLD_MS,
    logLevel: options.log.level,
    logCreator: kafkajsLogCreator(options.log.sink, options.log.prefix),
  });
}
