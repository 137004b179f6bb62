// Fault 2: the broker is down when the flow is deployed and only starts 30 s later, on the port the
// flow names. Consuming must begin within the backoff cap plus a group join, without any
// unhandled rejection or uncaught exception in the runtime.
import should from 'should';
import { findFreePorts } from '../../scripts/kafka/ports';
import { createTopic, startLocalKafka, type LocalKafka } from '../../scripts/kafka/local-kafka';
import { produce, uniqueName } from '../support/kafka';
import { printFigures, ProcessFaultRecorder, seconds } from '../support/faults';
import { brokerNode, helperNode, tab, triggerNode } from '../support/flows';
import { collect, deploy, loggedBy, startNodeRed, stopNodeRed, waitForStatus } from '../support/node-red';
import { sleep, waitFor } from '../support/wait';

const DOWN_MS = 30000;
/** The trigger's backoff cap (DEFAULT_BACKOFF.maxMs). */
const BACKOFF_CAP_MS = 30000;
const SESSION_TIMEOUT_MS = 10000;
/** A retry after the cap, plus a join that may wait out one session timeout, plus slack. */
const START_BOUND_MS = BACKOFF_CAP_MS + SESSION_TIMEOUT_MS + 5000;

describe('fault: broker down at deploy', function () {
  this.timeout(240000);
  let broker: LocalKafka | undefined;
  const recorder = new ProcessFaultRecorder();

  beforeEach(async () => {
    recorder.install();
    await startNodeRed();
  });
  afterEach(async () => {
    await stopNodeRed();
    await broker?.destroy();
    recorder.uninstall();
  });

  it('starts consuming within the backoff cap once the broker comes up 30 s after the deploy', async () => {
    const [port] = await findFreePorts(1);
    const topic = uniqueName('late');
    await deploy([
      tab(),
      brokerNode('broker1', `127.0.0.1:${port}`),
      triggerNode(
        'trigger1',
        { broker: 'broker1', topic, start_from: 'earliest', session_timeout: SESSION_TIMEOUT_MS },
        ['out'],
      ),
      helperNode('out'),
    ]);
    const received = collect('out');
    const downUntil = Date.now() + DOWN_MS;
    await waitForStatus('trigger1', 'disconnected');
    await waitFor(() => loggedBy('trigger1', 'warn').length >= 2, DOWN_MS, 'two retry warnings');
    // The scenario: the broker stays down for DOWN_MS after the deploy, however fast the retries come.
    await sleep(downUntil - Date.now());
    const warningsWhileDown = loggedBy('trigger1', 'warn').length;
    broker = await startLocalKafka({ listeners: [{ name: 'PLAINTEXT', protocol: 'PLAINTEXT', port }] });
    const upAt = Date.now();
    await createTopic(broker, topic);
    await produce(topic, [{ value: '{"n":1}' }], broker);
    await waitFor(() => received.length > 0, START_BOUND_MS + 10000, 'the first delivery').catch(
      () => undefined,
    );
    const firstAt = received.length > 0 ? Date.now() : 0;
    printFigures('broker-down-at-deploy', {
      down_s: seconds(DOWN_MS),
      retry_warnings_while_down: warningsWhileDown,
      first_delivery_after_up_s: firstAt ? seconds(firstAt - upAt) : 'none',
      bound_s: seconds(START_BOUND_MS),
      unhandled_rejections: recorder.unhandledRejections.length,
      uncaught_exceptions: recorder.uncaughtExceptions.length,
    });
    should(received).have.length(1);
    should(firstAt - upAt).be.belowOrEqual(START_BOUND_MS);
    should(warningsWhileDown).be.above(1);
    should(recorder.unhandledRejections).eql([]);
    should(recorder.uncaughtExceptions).eql([]);
  });
});
