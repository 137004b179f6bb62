import should from 'should';
import { newTopic } from '../support/kafka';
import {
  brokerNode,
  deploy,
  helper,
  startNodeRed,
  stopNodeRed,
  tab,
  triggerNode,
  waitForStatus,
} from '../support/node-red';
import { testBroker } from './broker.hooks';

interface LogRecord {
  level: number;
  msg: string;
}

// Node-RED's numeric log levels.
const INFO = 40;
const DEBUG = 50;

function kafkajsLines(): LogRecord[] {
  return helper
    .log()
    .args.map((args: unknown[]) => args[0] as LogRecord)
    .filter((record: LogRecord) => typeof record.msg === 'string' && record.msg.includes(' kafkajs '));
}

async function deployAtLogLevel(level: 'debug' | 'warn'): Promise<void> {
  helper.settings({ logging: { console: { level, metrics: false, audit: false } } });
  const topic = await newTopic('logging');
  await deploy([
    tab(),
    brokerNode('broker1', testBroker().bootstrap, { name: 'local' }),
    triggerNode('trigger1', { broker: 'broker1', topic }),
  ]);
  await waitForStatus('trigger1', 'connected');
}

describe('kafkajs log lines', function () {
  beforeEach(startNodeRed);
  afterEach(async () => {
    await stopNodeRed();
    helper.settings({ logging: { console: { level: 'off', metrics: false, audit: false } } });
  });

  it("reach Node-RED's log at the matching level, named after the broker node, when the level is debug", async () => {
    await deployAtLogLevel('debug');
    const lines = kafkajsLines();
    const debugLines = lines.filter((record) => record.level === DEBUG);
    const infoLines = lines.filter((record) => record.level === INFO);
    should(debugLines.length).be.above(0);
    should(infoLines.length).be.above(0);
    should(lines.every((record) => record.msg.startsWith('[kafka-broker:local] kafkajs '))).be.true();
    should(infoLines.map((record) => record.msg).join('\n')).match(/Starting/);
  });

  it("are not even built below the runtime's level", async () => {
    await deployAtLogLevel('warn');
    should(kafkajsLines().filter((record) => record.level >= INFO)).eql([]);
  });
});
