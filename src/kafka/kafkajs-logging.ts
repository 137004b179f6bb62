import { logLevel, type LogEntry, type logCreator } from 'kafkajs';

/** The log methods a kafkajs client writes to (Node-RED's RED.log has them all). */
export interface LogSink {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  trace(message: string): void;
}

const NODE_RED_TO_KAFKAJS: Record<string, logLevel> = {
  off: logLevel.NOTHING,
  fatal: logLevel.ERROR,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
  trace: logLevel.DEBUG,
  metric: logLevel.DEBUG,
  audit: logLevel.DEBUG,
};

/**
 * The kafkajs level that matches Node-RED's, so kafkajs builds no debug lines that Node-RED
 * would drop anyway.
 */
export function kafkajsLevelFor(nodeRedLevel: string | undefined): logLevel {
  return NODE_RED_TO_KAFKAJS[nodeRedLevel ?? 'info'] ?? logLevel.INFO;
}

/** Routes every kafkajs log line to the sink at the matching level, prefixed so it can be traced to a client. */
export function kafkajsLogCreator(sink: LogSink, prefix: string): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const line = `${prefix} kafkajs ${namespace}: ${describe(log)}`;
      switch (level) {
        case logLevel.ERROR:
        case logLevel.NOTHING:
          sink.error(line);
          break;
        case logLevel.WARN:
          sink.warn(line);
          break;
        case logLevel.INFO:
          sink.info(line);
          break;
        default:
          sink.debug(line);
      }
    };
}

/** The message plus the fields kafkajs attaches (broker, error, group...), minus noise. */
function describe(log: LogEntry['log']): string {
  const {
    message,
    timestamp: _timestamp,
    logger: _logger,
    stack: _stack,
    ...fields
  } = log as LogEntry['log'] & {
    stack?: string;
  };
  const details = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return details.length > 0 ? `${message} (${details.join(', ')})` : message;
}
