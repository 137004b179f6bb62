// The README's `npm start` command: Node-RED with the example flow shows trigger data in the Debug sidebar.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import should from 'should';
import { findFreePorts } from '../../scripts/kafka/ports';
import { connectEditorComms } from '../support/node-red-comms';
import { waitFor } from '../support/wait';
import { sharedBroker } from '../support/shared-broker';

describe('npm start', function () {
  let demo: ChildProcess | undefined;
  let output = '';

  afterEach(async () => {
    if (demo && demo.exitCode === null) {
      demo.kill('SIGINT');
      await once(demo, 'exit');
    }
  });

  it('runs Node-RED with the example flow and the Debug sidebar receives trigger data', async function () {
    this.timeout(120000);
    const [port] = await findFreePorts(1);
    // The demo reuses the test broker through KAFKA_BROKERS instead of starting its own.
    demo = spawn(process.execPath, ['--import', 'tsx', path.join('scripts', 'start.ts')], {
      cwd: path.resolve(__dirname, '..', '..'),
      env: { ...process.env, KAFKA_BROKERS: sharedBroker().bootstrap, NODE_RED_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout!.on('data', (chunk) => (output += chunk));
    demo.stderr!.on('data', (chunk) => (output += chunk));
    const baseUrl = `http://127.0.0.1:${port}`;
    // Node-RED starts its flows and its HTTP server side by side: wait for the server itself.
    await waitFor(async () => (await fetch(`${baseUrl}/auth/login`)).ok, 60000, 'Node-RED to answer').catch(
      (error: Error) => Promise.reject(new Error(`${error.message}; npm start printed:\n${output}`)),
    );

    const comms = await connectEditorComms(baseUrl);
    try {
      const first = await waitFor(
        () => comms.sidebar.find((entry) => entry.format !== undefined),
        60000,
        'a debug message',
      ).catch((error: Error) => Promise.reject(new Error(`${error.message}; npm start printed:\n${output}`)));
      const payload = JSON.parse(first!.msg) as Record<string, unknown>;
      should(payload).have.properties([
        'topic',
        'partition',
        'offset',
        'timestamp',
        'key',
        'message',
        'headers',
      ]);
      should(payload.topic).equal('demo-events');
      should(payload.message).have.properties(['user_id', 'event_type']);
      should(payload.headers).containEql({ source: 'npm-start-demo' });
    } finally {
      comms.close();
    }
  });
});
