import should from 'should';
import { startLocalKafka, createTopic, type LocalKafka } from '../../scripts/kafka/local-kafka';
import { makeTestCertificates, type TestCertificates } from '../support/certificates';
import { produce, uniqueName } from '../support/kafka';
import {
  brokerNode,
  debugNode,
  helperNode,
  produceNode,
  tab,
  tlsConfigNode,
  triggerNode,
  type FlowNode,
} from '../support/flows';
import {
  collect,
  deploy,
  getNode,
  loggedBy,
  startNodeRed,
  statusCalls,
  stopNodeRed,
  loggedFromNow,
  waitForStatus,
} from '../support/node-red';
import { connectEditorComms, type EditorComms } from '../support/node-red-comms';
import { deployFlows, startNodeRedProcess, type NodeRedProcess } from '../support/node-red-process';
import { BROKER_VERSION } from '../../src/settings/migrations';
import { waitFor } from '../support/wait';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const PLAIN_USER = { username: 'alice', password: 'alice-plain-secret' };
const SCRAM_256_USER = { username: 'bob', password: 'bob-scram256-secret' };
const SCRAM_512_USER = { username: 'carol', password: 'carol-scram512-secret' };
const JAAS_SCRAM = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';

/** How the trigger's broker node connects in one scenario. */
interface Connection {
  listener: 'SASL_PLAIN' | 'TLS' | 'MTLS' | 'SASL_TLS';
  sasl?: { mechanism: string; username: string; password: string };
  tls?: { ca?: string; cert?: string; key?: string; servername?: string };
}

describe('kafka-broker SASL and TLS against a broker that demands them', function () {
  this.timeout(120000);
  let certificates: TestCertificates;
  let secureBroker: LocalKafka;

  before(async function () {
    this.timeout(180000);
    certificates = makeTestCertificates();
    const sasl = {
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      'plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required user_${PLAIN_USER.username}="${PLAIN_USER.password}";`,
      'scram-sha-256.sasl.jaas.config': JAAS_SCRAM,
      'scram-sha-512.sasl.jaas.config': JAAS_SCRAM,
    };
    const tls = {
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': certificates.brokerKeyStore,
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': certificates.brokerTrustStore,
    };
    secureBroker = await startLocalKafka({
      listeners: [
        { name: 'PLAINTEXT', protocol: 'PLAINTEXT' },
        { name: 'SASL_PLAIN', protocol: 'SASL_PLAINTEXT', extraConfig: sasl },
        { name: 'TLS', protocol: 'SSL', extraConfig: tls },
        { name: 'MTLS', protocol: 'SSL', extraConfig: { ...tls, 'ssl.client.auth': 'required' } },
        { name: 'SASL_TLS', protocol: 'SASL_SSL', extraConfig: { ...sasl, ...tls } },
      ],
      scramUsers: [
        { mechanism: 'SCRAM-SHA-256', ...SCRAM_256_USER },
        { mechanism: 'SCRAM-SHA-512', ...SCRAM_512_USER },
      ],
    });
  });

  after(async () => {
    await secureBroker?.destroy();
    certificates?.remove();
  });

  beforeEach(startNodeRed);
  afterEach(stopNodeRed);

  /**
   * Deploys a trigger and a kafka-produce on a fresh topic, both through one broker node with the given
   * connection; returns the topic, the trigger's output and the producer's.
   */
  async function deployOver(connection: Connection) {
    const topic = uniqueName('secure');
    await createTopic(secureBroker, topic);
    const flow: FlowNode[] = [
      tab(),
      brokerNode('broker1', secureBroker.listeners[connection.listener], {
        sasl_mechanism: connection.sasl?.mechanism ?? 'none',
        tls: connection.tls ? 'tls1' : '',
      }),
      triggerNode('trigger1', { broker: 'broker1', topic }, ['out']),
      helperNode('out'),
      produceNode('produce1', { broker: 'broker1', topic }, ['written']),
      helperNode('written'),
    ];
    const credentials: Record<string, unknown> = {};
    if (connection.sasl)
      credentials.broker1 = { username: connection.sasl.username, password: connection.sasl.password };
    if (connection.tls) {
      flow.push(tlsConfigNode('tls1', connection.tls.servername));
      credentials.tls1 = {
        cadata: connection.tls.ca ?? '',
        certdata: connection.tls.cert ?? '',
        keydata: connection.tls.key ?? '',
      };
    }
    await deploy(flow, credentials);
    return { topic, received: collect('out'), written: collect('written') };
  }

  const working: [string, () => Connection][] = [
    ['SASL PLAIN', () => ({ listener: 'SASL_PLAIN', sasl: { mechanism: 'plain', ...PLAIN_USER } })],
    [
      'SASL SCRAM-SHA-256',
      () => ({ listener: 'SASL_PLAIN', sasl: { mechanism: 'scram-sha-256', ...SCRAM_256_USER } }),
    ],
    [
      'SASL SCRAM-SHA-512',
      () => ({ listener: 'SASL_PLAIN', sasl: { mechanism: 'scram-sha-512', ...SCRAM_512_USER } }),
    ],
    ['TLS', () => ({ listener: 'TLS', tls: { ca: certificates.ca } })],
    [
      'mutual TLS',
      () => ({
        listener: 'MTLS',
        tls: { ca: certificates.ca, cert: certificates.clientCert, key: certificates.clientKey },
      }),
    ],
    [
      'SASL_SSL (SCRAM-SHA-512 over TLS)',
      () => ({
        listener: 'SASL_TLS',
        sasl: { mechanism: 'scram-sha-512', ...SCRAM_512_USER },
        tls: { ca: certificates.ca },
      }),
    ],
  ];

  for (const [name, connection] of working) {
    it(`delivers records over ${name}, and kafka-produce writes over it too`, async () => {
      const { topic, received, written } = await deployOver(connection());
      await waitForStatus('trigger1', 'connected');
      await produce(topic, [{ key: 'k', value: `{"over":"${name}"}` }], secureBroker);
      await waitFor(() => received.length === 1, 30000, 'the record');
      should(received[0].payload.message).eql({ over: name });
      await waitForStatus('produce1', 'connected', 30000, 'kafka-produce');
      getNode<{ receive(msg: unknown): void }>('produce1').receive({ payload: { written: name } });
      await waitFor(() => received.length === 2 && written.length === 1, 30000, 'the written record');
      should(received[1].payload.message).eql({ written: name });
      should((written[0] as unknown as { kafka: { topic: string } }).kafka.topic).equal(topic);
    });
  }

  const failing: [string, () => Connection, string, string][] = [
    [
      'a wrong password',
      () => ({
        listener: 'SASL_PLAIN',
        sasl: { mechanism: 'scram-sha-512', ...SCRAM_512_USER, password: 'wrong' },
      }),
      'auth-failed',
      'auth-failed',
    ],
    [
      'an unknown user',
      () => ({
        listener: 'SASL_PLAIN',
        sasl: { mechanism: 'plain', username: 'mallory', password: 'guess' },
      }),
      'auth-failed',
      'auth-failed',
    ],
    [
      'an untrusted server certificate',
      () => ({ listener: 'TLS', tls: { ca: certificates.otherCa } }),
      'tls-failed',
      'tls-failed',
    ],
    [
      'a server name that does not match the certificate',
      () => ({ listener: 'TLS', tls: { ca: certificates.ca, servername: 'wrong.example' } }),
      'tls-failed',
      'tls-failed',
    ],
    [
      'a missing client certificate',
      () => ({ listener: 'MTLS', tls: { ca: certificates.ca } }),
      'tls-failed',
      'tls-failed',
    ],
    ['a plain client on a TLS listener', () => ({ listener: 'TLS' }), 'disconnected', 'connection-closed'],
  ];

  for (const [name, connection, status, warning] of failing) {
    it(`reports ${name} clearly, delivers nothing and retries at a bounded rate`, async () => {
      const deployedAt = Date.now();
      const { topic, received, written } = await deployOver(connection());
      const retried = {
        trigger1: loggedFromNow('trigger1', 'warn'),
        produce1: loggedFromNow('produce1', 'warn'),
      };
      await waitForStatus('trigger1', status, 30000);
      await waitForStatus('produce1', status, 30000, 'kafka-produce');
      getNode<{ receive(msg: unknown): void }>('produce1').receive({ payload: 'must wait' });
      await produce(topic, [{ value: '"must not arrive"' }], secureBroker);
      const producedAt = Date.now();
      // Each node reports every failed attempt as it fails. Two of each, the last after the record and
      // the msg were there: both nodes retry, and tried again with something to deliver and to write.
      await waitFor(
        () => Object.values(retried).every((logged) => logged.length >= 2 && logged.at(-1)!.at > producedAt),
        30000,
        'two retries of each node, one after the record was produced',
      );
      const elapsedS = (Date.now() - deployedAt) / 1000;
      // Backoff starts at 0.5-1 s and doubles: attempts are at least half a second apart, and n
      // failures take at least 0.5 * (2^(n-1) - 1) s.
      for (const [id, logged] of Object.entries(retried)) {
        for (let index = 1; index < logged.length; index += 1)
          should(logged[index].at - logged[index - 1].at).be.aboveOrEqual(490, `${id} retried too soon`);
        should(loggedBy(id, 'warn').length).be.belowOrEqual(1 + Math.log2(2 * elapsedS + 1));
      }
      // kafka-produce's warnings say the attempt and the delay (its RED._ fills them in): the delay
      // keeps to the backoff, and the next attempt waited for it. A failure that takes kafkajs long
      // (a TLS handshake) would hide a missing backoff from the spacing alone.
      for (const [index, { at, text }] of retried.produce1.entries()) {
        const [, attempt, delay] = /\(attempt (\d+)\)[\s\S]*retrying in ([\d.]+) s$/.exec(text) ?? [];
        should.exist(delay, `no attempt and delay in: ${text}`);
        const stepS = 2 ** (Number(attempt) - 1);
        should(Number(delay)).be.within(stepS / 2 - 0.05, stepS + 0.05);
        const next = retried.produce1[index + 1];
        if (next) should(next.at - at).be.aboveOrEqual(Number(delay) * 1000 - 60);
      }
      const warnings = loggedBy('trigger1', 'warn');
      should(warnings).matchEach(`kafka-trigger.errors.${warning}`);
      should(received).be.empty();
      should(written).be.empty();
      // The msg waits for the connection (send timeout 30 s), and the badge counted it.
      should(statusCalls('produce1').some((call) => call.text?.endsWith(', 1 waiting'))).be.true();
      const shown = new Set(statusCalls('trigger1').map((call) => call.text));
      should([...shown]).eql(['kafka-trigger.status.connecting', `kafka-trigger.status.${status}`]);
    });
  }

  describe('use_tls without a TLS node', () => {
    let nodeRed: NodeRedProcess | undefined;
    let comms: EditorComms | undefined;
    afterEach(async () => {
      comms?.close();
      await nodeRed?.stop();
    });

    /**
     * A real Node-RED process (Node reads NODE_EXTRA_CA_CERTS only at start) with a trigger on the TLS
     * listener through a current broker node that has use_tls and no TLS node, so it trusts only the
     * system's CAs and the extra ones.
     */
    async function deployWithSystemTrust(extraCaCerts: string | undefined) {
      const topic = uniqueName('use-tls');
      await createTopic(secureBroker, topic);
      // At info level the debug node's console lines reach the log.
      nodeRed = await startNodeRedProcess({ logLevel: 'info', env: { NODE_EXTRA_CA_CERTS: extraCaCerts } });
      comms = await connectEditorComms(nodeRed.baseUrl);
      await deployFlows(nodeRed, [
        tab('use-tls'),
        brokerNode('broker1', secureBroker.listeners.TLS, {
          version: BROKER_VERSION,
          use_tls: true,
          tls: '',
        }),
        triggerNode('trigger1', { broker: 'broker1', topic }, ['debug1']),
        // On the console too: the test waits for the record in the log.
        debugNode('debug1', true),
      ]);
      return topic;
    }

    it('delivers records over TLS when the test CA is trusted like a system CA (NODE_EXTRA_CA_CERTS)', async () => {
      // The broker's CA, as a file: what a user adds to the system's trust.
      const topic = await deployWithSystemTrust(certificates.brokerTrustStore);
      await comms!.waitForStatus('trigger1', 'connected');
      await produce(topic, [{ value: '{"use_tls":"delivered"}' }], secureBroker);
      await waitFor(() => nodeRed!.log().includes('delivered'), 30000, 'the record in the log');
    });

    it("says TLS failed when the broker's CA is not trusted", async () => {
      await deployWithSystemTrust(undefined);
      await comms!.waitForStatus('trigger1', 'tls-failed');
    });
  });

  describe('the SASL password', () => {
    let nodeRed: NodeRedProcess | undefined;
    let comms: EditorComms | undefined;
    afterEach(async () => {
      comms?.close();
      await nodeRed?.stop();
    });

    it('never appears in GET /flows, the flows files or the log at trace level', async () => {
      const topic = uniqueName('secret');
      await createTopic(secureBroker, topic);
      nodeRed = await startNodeRedProcess({
        settings: {
          credentialSecret: 'test-only-credential-key',
          logging: { console: { level: 'trace', metrics: false, audit: false } },
        },
      });
      comms = await connectEditorComms(nodeRed.baseUrl);
      const flow = [
        tab('secrets'),
        brokerNode('broker1', secureBroker.listeners.SASL_PLAIN, {
          name: 'secure',
          sasl_mechanism: 'scram-sha-512',
          tls: '',
          credentials: { username: SCRAM_512_USER.username, password: SCRAM_512_USER.password },
        }),
        triggerNode('trigger1', { broker: 'broker1', topic }, ['debug1']),
        // On the console too: the test waits for the record in the log.
        debugNode('debug1', true),
      ];
      const deployed = await fetch(`${nodeRed.baseUrl}/flows`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
        body: JSON.stringify(flow),
      });
      should(deployed.ok).be.true();
      // Connected, not joined: a new group at "newest" skips records produced before its first fetch.
      await comms.waitForStatus('trigger1', 'connected');
      await produce(topic, [{ value: '{"secret_test":"delivered"}' }], secureBroker);
      await waitFor(() => nodeRed!.log().includes('delivered'), 30000, 'the record in the log');

      const exported = await (await fetch(`${nodeRed.baseUrl}/flows`)).text();
      should(exported).containEql('scram-sha-512');
      should(exported).not.containEql(SCRAM_512_USER.password);
      for (const file of ['flows.json', 'flows_cred.json']) {
        should(readFileSync(path.join(nodeRed.userDir, file), 'utf8')).not.containEql(
          SCRAM_512_USER.password,
        );
      }
      should(nodeRed.log()).match(/\[trace\]/);
      should(nodeRed.log()).not.containEql(SCRAM_512_USER.password);
    });
  });
});
