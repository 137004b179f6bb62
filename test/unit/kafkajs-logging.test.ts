import { Kafka, logLevel } from 'kafkajs';
import should from 'should';
import { kafkajsLevelFor, kafkajsLogCreator } from '../../src/client/kafkajs-logging';

interface Routed {
  level: 'info' | 'debug';
  line: string;
}

/** A kafkajs client set up for Node-RED's log level, and where each of its lines went. */
function clientAt(nodeRedLevel: string | undefined): { kafka: Kafka; routed: Routed[] } {
  const routed: Routed[] = [];
  const sink = {
    info: (line: string) => routed.push({ level: 'info', line }),
    debug: (line: string) => routed.push({ level: 'debug', line }),
  };
  const kafka = new Kafka({
    brokers: ['127.0.0.1:9092'],
    logLevel: kafkajsLevelFor(nodeRedLevel),
    logCreator: kafkajsLogCreator(sink, '[kafka-broker:local]'),
  });
  return { kafka, routed };
}

/** Logs one line at each kafkajs level through the client's own logger. */
function logOneOfEach(kafka: Kafka): void {
  const logger = kafka.logger().namespace('Connection');
  logger.error('Response GroupCoordinator(key: 10, version: 2)', {
    broker: '127.0.0.1:9092',
    error: 'The group coordinator is not available',
  });
  logger.warn('a warning');
  logger.info('Starting');
  logger.debug('Request Fetch(key: 1, version: 11)');
}

describe('kafkajs log lines', () => {
  it('go to debug when kafkajs logs them as errors or warnings, tagged with its level, and stay at info when they are info', () => {
    const { kafka, routed } = clientAt('debug');
    logOneOfEach(kafka);
    should(routed).eql([
      {
        level: 'debug',
        line:
          '[kafka-broker:local] kafkajs ERROR Connection: Response GroupCoordinator(key: 10, version: 2) ' +
          '(broker=127.0.0.1:9092, error=The group coordinator is not available)',
      },
      { level: 'debug', line: '[kafka-broker:local] kafkajs WARN Connection: a warning' },
      { level: 'info', line: '[kafka-broker:local] kafkajs INFO Connection: Starting' },
      {
        level: 'debug',
        line: '[kafka-broker:local] kafkajs DEBUG Connection: Request Fetch(key: 1, version: 11)',
      },
    ]);
  });

  it('are all built at debug and trace, the levels that show them', () => {
    for (const level of ['debug', 'trace', 'metric', 'audit']) {
      const { kafka, routed } = clientAt(level);
      logOneOfEach(kafka);
      should(routed.map((entry) => entry.line.split(' ')[2])).eql(['ERROR', 'WARN', 'INFO', 'DEBUG'], level);
    }
  });

  it('at info include kafkajs info lines, and no debug line', () => {
    for (const level of ['info', undefined, 'not-a-level']) {
      const { kafka, routed } = clientAt(level);
      logOneOfEach(kafka);
      should(routed.filter((entry) => entry.level === 'info').map((entry) => entry.line)).eql(
        ['[kafka-broker:local] kafkajs INFO Connection: Starting'],
        String(level),
      );
      should(routed.some((entry) => entry.line.includes('kafkajs DEBUG'))).be.false();
    }
  });

  it('are not built at all below info, where Node-RED would show none of them', () => {
    for (const level of ['warn', 'error', 'fatal', 'off']) {
      should(kafkajsLevelFor(level)).equal(logLevel.NOTHING, level);
      const { kafka, routed } = clientAt(level);
      logOneOfEach(kafka);
      should(routed).eql([], level);
    }
  });
});
