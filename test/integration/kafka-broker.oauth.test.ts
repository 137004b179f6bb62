// SASL OAUTHBEARER against a real broker whose OAUTH listener validates RS256 JWTs against a JWKS
// (Kafka's own validator, audience checked) and makes every connection re-authenticate every 15 s.
// The tokens come from a stand-in identity provider (test/support/identity-provider.ts) that issues
// 30 s tokens through the client-credentials grant and counts the requests.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import should from 'should';
import { createTopic, type LocalKafka } from '../../scripts/kafka/local-kafka';
import { establishedLocalPortsTo } from '../../scripts/bench/process-stats';
import { printFigures } from '../support/faults';
import {
  brokerNode,
  debugNode,
  helperNode,
  produceNode,
  tab,
  triggerNode,
  type FlowNode,
} from '../support/flows';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider';
import { produce, uniqueName } from '../support/kafka';
import {
  collect,
  deploy,
  getNode,
  loggedBy,
  loggedFromNow,
  postCheck,
  startNodeRed,
  statusCalls,
  stopNodeRed,
  waitForStatus,
} from '../support/node-red';
import { connectEditorComms, type EditorComms } from '../support/node-red-comms';
import { startNodeRedProcess, type NodeRedProcess } from '../support/node-red-process';
import { startOAuthBroker } from '../support/oauth-broker';
import { waitFor } from '../support/wait';

const CLIENT_ID = 'node-red-flows';
const CLIENT_SECRET = 'oauth-client-secret: not for logs';
const WRONG_SECRET = 'a-wrong-oauth-secret';
const TOKEN_LIFETIME_S = 30;
/** The token cache renews a token after 80% of its lifetime. */
const RENEW_AFTER_S = TOKEN_LIFETIME_S * 0.8;
const TOPICS_ROUTE = '/kafka-trigger/broker/topics';

describe('kafka-broker OAUTHBEARER against a broker that validates JWTs', function () {
  this.timeout(120000);
  let idp: IdentityProvider;
  let broker: LocalKafka;

  before(async function () {
    this.timeout(180000);
    idp = await startIdentityProvider({
      clients: { [CLIENT_ID]: CLIENT_SECRET },
      tokenLifetimeS: TOKEN_LIFETIME_S,
    });
    broker = await startOAuthBroker(idp.jwksUrl);
  });

  after(async () => {
    await broker?.destroy();
    await idp?.stop();
  });

  /** The broker node's OAuth settings in flow JSON. */
  function oauthSettings(): Record<string, unknown> {
    return {
      sasl_mechanism: 'oauthbearer',
      oauth_token_url: idp.tokenUrl,
      oauth_client_id: CLIENT_ID,
      oauth_scope: 'kafka.read kafka.write',
    };
  }

  describe('in a runtime', () => {
    beforeEach(startNodeRed);
    afterEach(stopNodeRed);

    /** A trigger and a kafka-produce on a fresh topic through one broker node on the OAUTH listener. */
    async function deployOver(secret: string) {
      const topic = uniqueName('oauth');
      await createTopic(broker, topic);
      const flow: FlowNode[] = [
        tab(),
        brokerNode('broker1', broker.listeners.OAUTH, oauthSettings()),
        triggerNode('trigger1', { broker: 'broker1', topic }, ['out']),
        helperNode('out'),
        produceNode('produce1', { broker: 'broker1', topic }, ['written']),
        helperNode('written'),
      ];
      await deploy(flow, { broker1: { oauth_client_secret: secret } });
      return { topic, received: collect('out'), written: collect('written') };
    }

    function send(payload: unknown): void {
      getNode<{ receive(msg: unknown): void }>('produce1').receive({ payload });
    }

    it('delivers and writes records over several token lifetimes, re-authenticating on the same connections with one token per renewal', async function () {
      this.timeout(240000);
      const requestsBefore = idp.requests.length;
      const { topic, received, written } = await deployOver(CLIENT_SECRET);
      const warned = {
        trigger1: loggedFromNow('trigger1', 'warn'),
        produce1: loggedFromNow('produce1', 'warn'),
      };
      await waitForStatus('trigger1', 'connected');
      const deployedAt = idp.requests[requestsBefore]?.at ?? Date.now();
      await produce(topic, [{ key: 'k', value: '{"over":"oauthbearer"}' }], broker);
      await waitFor(() => received.length === 1, 30000, 'the record produced outside Node-RED');
      should(received[0].payload.message).eql({ over: 'oauthbearer' });
      await waitForStatus('produce1', 'connected', 30000, 'kafka-produce');

      // The connections open now must last: the broker closes a connection that is used after its
      // 15 s session without re-authenticating, so one still open after several sessions re-authenticated.
      const port = Number(broker.listeners.OAUTH.split(':')[1]);
      const firstConnections = establishedLocalPortsTo(port);
      should(firstConnections).not.be.empty();

      // Records keep going through kafka-produce to the trigger until the token cache has renewed the
      // token three times: more than three token lifetimes and six broker sessions after the first token.
      const granted = () => idp.requests.slice(requestsBefore).filter((request) => request.granted).length;
      let sent = 0;
      while (granted() < 4) {
        should(Date.now() - deployedAt).be.below(
          5 * TOKEN_LIFETIME_S * 1000,
          'the token was not renewed in time',
        );
        sent += 1;
        send({ n: sent });
        await waitFor(() => written.length === sent && received.length === sent + 1, 30000, `record ${sent}`);
      }
      const elapsedS = (Date.now() - deployedAt) / 1000;
      const lasting = establishedLocalPortsTo(port).filter((local) => firstConnections.includes(local));
      const requests = idp.requests.slice(requestsBefore);

      should(received.slice(1).map((msg) => (msg.payload.message as { n: number }).n)).eql(
        Array.from({ length: sent }, (_, index) => index + 1),
      );
      should(elapsedS).be.above(3 * RENEW_AFTER_S);
      // One token, then one per renewal: not one per connection or re-authentication.
      should(requests.length).be.belowOrEqual(Math.floor(elapsedS / RENEW_AFTER_S) + 2);
      should(requests.every((request) => request.granted && request.via === 'basic')).be.true();
      should(lasting).not.be.empty();
      should(warned.trigger1).be.empty();
      should(warned.produce1).be.empty();
      printFigures('oauth-long-run', {
        seconds: Math.round(elapsedS),
        records: sent + 1,
        tokenRequests: requests.length,
        brokerSessions: Math.floor(elapsedS / 15),
        connectionsKept: `${lasting.length}/${firstConnections.length}`,
      });
    });

    it('reports a refused client secret as auth failed, naming the token endpoint, with few token requests', async () => {
      const requestsBefore = idp.requests.length;
      const deployedAt = Date.now();
      const { topic, received, written } = await deployOver(WRONG_SECRET);
      const retried = {
        trigger1: loggedFromNow('trigger1', 'warn'),
        produce1: loggedFromNow('produce1', 'warn'),
      };
      await waitForStatus('trigger1', 'auth-failed', 30000);
      await waitForStatus('produce1', 'auth-failed', 30000, 'kafka-produce');
      send('must wait');
      await produce(topic, [{ value: '"must not arrive"' }], broker);
      // Both nodes keep retrying with their backoff: wait for the fourth failure of each.
      await waitFor(
        () => Object.values(retried).every((logged) => logged.length >= 4),
        60000,
        'four failed attempts of each node',
      );
      const elapsedS = (Date.now() - deployedAt) / 1000;
      const requests = idp.requests.slice(requestsBefore);

      should(statusCalls('trigger1').at(-1)).have.properties({
        fill: 'red',
        text: 'kafka-trigger.status.auth-failed',
      });
      // kafka-produce's badge counts the waiting msg, so it translates the text itself.
      should(statusCalls('produce1').at(-1)).have.properties({ fill: 'red', text: 'auth failed, 1 waiting' });
      should(loggedBy('trigger1', 'warn')).matchEach('kafka-trigger.errors.auth-failed');
      // kafka-produce's warnings are filled in: they name the token endpoint and never the secret.
      for (const { text } of retried.produce1) {
        should(text).containEql(`the OAuth token endpoint ${idp.tokenUrl} refused the client ID and secret`);
        should(text).not.containEql(WRONG_SECRET);
      }
      // Every client of the broker node waits for the one token cache, which backs off after each
      // refusal (1 s doubling, with jitter from half): n refused fetches take at least
      // 0.5 * (2^(n-1) - 1) s, and each fetch is at most two requests (basic auth, then the form).
      should(requests.every((request) => !request.granted)).be.true();
      should(requests.length).be.belowOrEqual(2 * (1 + Math.log2(2 * elapsedS + 1)));
      should(received).be.empty();
      should(written).be.empty();
      printFigures('oauth-refused', { seconds: Math.round(elapsedS), tokenRequests: requests.length });
    });

    it('recovers by itself when the token endpoint is down at deploy and comes back', async () => {
      await idp.stop();
      let deployed: Awaited<ReturnType<typeof deployOver>>;
      try {
        deployed = await deployOver(CLIENT_SECRET);
        const warned = loggedFromNow('produce1', 'warn');
        await waitForStatus('trigger1', 'disconnected', 30000);
        await waitForStatus('produce1', 'disconnected', 30000, 'kafka-produce');
        await waitFor(() => warned.length >= 1, 30000, "kafka-produce's warning");
        should(warned[0].text).containEql(`the OAuth token endpoint ${idp.tokenUrl} is unreachable`);
      } finally {
        await idp.start();
      }
      // No redeploy: the nodes' and the token cache's backoffs (capped at about 30 s) try again.
      await waitForStatus('trigger1', 'connected', 90000);
      await produce(deployed.topic, [{ value: '{"after":"recovery"}' }], broker);
      await waitFor(() => deployed.received.length === 1, 30000, 'the record after recovery');
      send('written after recovery');
      await waitFor(() => deployed.written.length === 1, 60000, 'the msg written after recovery');
    });

    it("lets the dialog's connection test list topics with the stored secret, and says when the secret is refused", async () => {
      const { topic } = await deployOver(CLIENT_SECRET);
      const dialog = { id: 'broker1', brokers: broker.listeners.OAUTH, ...oauthSettings() };
      const listed = await postCheck(TOPICS_ROUTE, { ...dialog, oauth_client_secret: '__PWRD__' });
      should(listed.body.topics).containEql(topic);
      const refused = await postCheck(TOPICS_ROUTE, { ...dialog, oauth_client_secret: WRONG_SECRET });
      should(refused.body.failure).equal('auth-failed');
      should(refused.body.error).containEql(idp.tokenUrl);
      should(JSON.stringify(refused.body)).not.containEql(WRONG_SECRET);
    });
  });

  describe('the client secret and the tokens', () => {
    let nodeRed: NodeRedProcess | undefined;
    let comms: EditorComms | undefined;
    afterEach(async () => {
      comms?.close();
      await nodeRed?.stop();
    });

    it('never appear in GET /flows, the flows files or any log line at trace level', async () => {
      const topic = uniqueName('oauth-secret');
      await createTopic(broker, topic);
      const issuedBefore = idp.issued.length;
      nodeRed = await startNodeRedProcess({
        settings: {
          credentialSecret: 'test-only-credential-key',
          logging: { console: { level: 'trace', metrics: false, audit: false } },
        },
        recordLog: true,
      });
      comms = await connectEditorComms(nodeRed.baseUrl);
      const flow = [
        tab('secrets'),
        brokerNode('broker1', broker.listeners.OAUTH, {
          name: 'oauth',
          ...oauthSettings(),
          credentials: { oauth_client_secret: CLIENT_SECRET },
        }),
        triggerNode('trigger1', { broker: 'broker1', topic }, ['debug1']),
        // On the console too: the test waits for the record in the log.
        debugNode('debug1', true),
        // A refused secret too, so that the error lines are in the log.
        brokerNode('broker2', broker.listeners.OAUTH, {
          name: 'refused',
          ...oauthSettings(),
          credentials: { oauth_client_secret: WRONG_SECRET },
        }),
        triggerNode('trigger2', { broker: 'broker2', topic }, []),
      ];
      const deployed = await fetch(`${nodeRed.baseUrl}/flows`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
        body: JSON.stringify(flow),
      });
      should(deployed.ok).be.true();
      await comms.waitForStatus('trigger1', 'connected');
      await comms.waitForStatus('trigger2', 'auth-failed');
      await produce(topic, [{ value: '{"oauth_secret_test":"delivered"}' }], broker);
      await waitFor(() => nodeRed!.log().includes('delivered'), 30000, 'the record in the log');
      await waitFor(
        () => nodeRed!.log().includes(`the OAuth token endpoint ${idp.tokenUrl} refused`),
        30000,
        'the refused secret in the log, naming the token endpoint',
      );

      const issued = idp.issued.slice(issuedBefore);
      should(issued).not.be.empty();
      const secrets = [CLIENT_SECRET, WRONG_SECRET, ...issued, ...issued.map((token) => token.split('.')[2])];
      const exported = await (await fetch(`${nodeRed.baseUrl}/flows`)).text();
      should(exported).containEql('oauthbearer');
      const places: [string, string][] = [
        ['GET /flows', exported],
        ...['flows.json', 'flows_cred.json'].map((file): [string, string] => [
          file,
          readFileSync(path.join(nodeRed!.userDir, file), 'utf8'),
        ]),
        ['the console log', nodeRed.log()],
        ['the runtime log records', JSON.stringify(nodeRed.logRecords())],
      ];
      should(nodeRed.log()).match(/\[trace\]/);
      for (const [place, text] of places)
        for (const secret of secrets) should(text.includes(secret)).be.false(`a secret or token in ${place}`);
    });
  });
});
