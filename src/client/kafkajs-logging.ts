import { logLevel, type LogEntry, type logCreator } from 'kafkajs';

/** The log levels kafkajs's lines go to: never warn or error (see kafkajsLogCreator). */
export interface LogSink {
  info(message: string): void;
  debug(message: string): void;
}

/**
 * For each Node-RED level, the kafkajs threshold that builds the lines it shows: kafkajs's info
 * lines land at `info` and all its others at `debug`, so below `info` none would be shown.
 */
const NODE_RED_TO_KAFKAJS: Record<string, logLevel> = {
  off: logLevel.NOTHING,
  fatal: logLevel.NOTHING,
  error: logLevel.NOTHING,
  warn: logLevel.NOTHING,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
  trace: logLevel.DEBUG,
  metric: logLevel.DEBUG,
  audit: logLevel.DEBUG,
};

/**
 * The kafkajs level for Node-RED's: the lowest that still builds every line Node-RED would show.
 * At `info` that also builds kafkajs's error and warn lines, which its threshold ranks above
 * info; they go to `debug`, where the console drops them.
 */
export function kafkajsLevelFor(nodeRedLevel: string | undefined): logLevel {
  return NODE_RED_TO_KAFKAJS[nodeRedLevel ?? 'info'] ?? logLevel.INFO;
}

/**
 * Routes kafkajs's lines to the sink, prefixed so they can be traced to a client and tagged with
 * kafkajs's own level. Its info lines (starting, joining, stopping) stay at info; its errors and
 * warnings go to debug with the rest of the protocol: they are retriable responses and failed
 * connection attempts that the node itself reports in plain words, and Node-RED shows every
 * warn and error line of the runtime log in the editor's debug sidebar.
 */
export function kafkajsLogCreator(sink: LogSink, prefix: string): logCreator {
  return () =>
    ({ namespace, level, label, log }: LogEntry) => {
      const line = `${prefix} kafkajs ${label} ${namespace}: ${describe(log)}`;
      if (level === logLevel.INFO) sink.info(line);
      else sink.debug(line);
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
