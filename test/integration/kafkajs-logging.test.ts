import should from 'should';
import { createTopic, startLocalKafka, type LocalKafka } from '../../scripts/kafka/local-kafka';
import { findFreePorts } from '../../scripts/kafka/ports';
import { newTopic, uniqueName } from '../support/kafka';
import { brokerNode, tab, triggerNode } from '../support/flows';
import { deploy, helper, loggedBy, startNodeRed, stopNodeRed, waitForStatus } from '../support/node-red';
import { connectEditorComms, type EditorComms } from '../support/node-red-comms';
import { startNodeRedProcess, type NodeRedProcess } from '../support/node-red-process';
import { waitFor } from '../support/wait';
import { sharedBroker } from '../support/shared-broker';

interface LogRecord {
  level: number;
  msg: string;
}

// Node-RED's numeric log levels: a line is shown at a level when its number is at most that level's.
const WARN = 30;
const INFO = 40;
const DEBUG = 50;

function kafkajsLines(): LogRecord[] {
  return helper
    .log()
    .args.map((args: unknown[]) => args[0] as LogRecord)
    .filter((record: LogRecord) => typeof record.msg === 'string' && record.msg.includes(' kafkajs '));
}

async function deployAtLogLevel(level: 'debug' | 'warn', brokers: string, status: string): Promise<void> {
  helper.settings({ logging: { console: { level, metrics: false, audit: false } } });
  const topic = await newTopic('logging');
  await deploy([
    tab(),
    brokerNode('broker1', brokers, { name: 'local' }),
    triggerNode('trigger1', { broker: 'broker1', topic }),
  ]);
  await waitForStatus('trigger1', status);
}

describe('kafkajs log lines', function () {
  describe('in the test helper', () => {
    beforeEach(startNodeRed);
    afterEach(async () => {
      await stopNodeRed();
      helper.settings({ logging: { console: { level: 'off', metrics: false, audit: false } } });
    });

    it("reach Node-RED's log at info and debug, named after the broker node, when the level is debug", async () => {
      await deployAtLogLevel('debug', sharedBroker().bootstrap, 'connected');
      const lines = kafkajsLines();
      const debugLines = lines.filter((record) => record.level === DEBUG);
      const infoLines = lines.filter((record) => record.level === INFO);
      should(debugLines.length).be.above(0);
      should(infoLines.length).be.above(0);
      should(lines.filter((record) => record.level < INFO)).eql([]);
      should(lines.every((record) => record.msg.startsWith('[kafka-broker:local] kafkajs '))).be.true();
      should(infoLines.map((record) => record.msg).join('\n')).match(/kafkajs INFO Consumer: Starting/);
    });

    it('are not even built below info, not even the errors of a failed connection', async () => {
      const [port] = await findFreePorts(1);
      await deployAtLogLevel('warn', `127.0.0.1:${port}`, 'disconnected');
      await waitFor(() => loggedBy('trigger1', 'warn').length >= 2, 30000, 'two retry warnings');
      should(kafkajsLines()).eql([]);
    });
  });

  // Node-RED's debug sidebar shows every warn and error line of the runtime log, from any source.
  describe('in a real Node-RED at debug level', () => {
    let freshBroker: LocalKafka | undefined;
    let nodeRed: NodeRedProcess | undefined;
    let comms: EditorComms | undefined;
    after(async () => {
      comms?.close();
      await nodeRed?.stop();
      await freshBroker?.destroy();
    });

    it("leave the debug sidebar to the node's own warnings, with a fresh broker and one that is down", async function () {
      this.timeout(300000);
      // No group has used this broker yet, so the trigger's join waits for its group coordinator.
      freshBroker = await startLocalKafka({ warmUpGroupCoordinator: false });
      const topic = uniqueName('fresh-broker');
      await createTopic(freshBroker, topic);
      const [downPort] = await findFreePorts(1);
      const downAddress = `127.0.0.1:${downPort}`;
      nodeRed = await startNodeRedProcess({ logLevel: 'debug', recordLog: true });
      comms = await connectEditorComms(nodeRed.baseUrl);
      const deployed = await fetch(`${nodeRed.baseUrl}/flows`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
        body: JSON.stringify([
          tab('logging'),
          brokerNode('fresh-broker', freshBroker.bootstrap, { name: 'fresh' }),
          brokerNode('down-broker', downAddress, { name: 'down' }),
          triggerNode('fresh', { broker: 'fresh-broker', topic }),
          triggerNode('down', { broker: 'down-broker', topic }),
        ]),
      });
      should(deployed.ok).be.true();
      // Creating __consumer_offsets on a starved machine took over a minute once (two CPU hogs and a
      // second suite beside it).
      await comms.waitForStatus('fresh', 'connected', 150000);
      await comms.waitForStatus('down', 'disconnected');
      const records = () => nodeRed!.logRecords();
      const retryWarnings = () => records().filter((record) => record.id === 'down' && record.level === WARN);
      await waitFor(() => retryWarnings().length >= 2, 30000, 'two retry warnings');
      await waitFor(
        () => comms!.sidebar.filter((entry) => entry.id === 'down').length >= 2,
        10000,
        'the retry warnings in the debug sidebar',
      );

      const shown = records().filter((record) => record.level <= WARN);
      should(shown.filter((record) => record.msg.includes('kafkajs'))).eql([]);
      should(comms.sidebar.filter((entry) => entry.msg.includes('kafkajs'))).eql([]);
      should(retryWarnings()[0].msg).match(new RegExp(`Cannot reach Kafka brokers ${downAddress}`));
      // kafkajs did report both: at debug, with its own level in the text.
      const kafkajsErrors = records().filter((record) => /kafkajs ERROR/.test(record.msg));
      should(kafkajsErrors.every((record) => record.level === DEBUG)).be.true();
      should(kafkajsErrors.some((record) => record.msg.startsWith('[kafka-broker:down] '))).be.true();
      should(
        kafkajsErrors.some((record) => /^\[kafka-broker:fresh\] .*GroupCoordinator/.test(record.msg)),
      ).be.true();
    });
  });
});
