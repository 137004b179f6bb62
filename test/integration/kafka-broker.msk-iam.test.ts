// aws-msk-iam against a real broker. No AWS endpoint is reachable from the test machines, so the
// most a local test can show is that the signed token reaches the broker's SASL exchange: the
// OAUTHBEARER listener (which validates JWTs) refuses it, and the nodes say so clearly, retry at a
// bounded rate and log no secret. The token's content is checked in test/unit/msk-iam-token.test.ts.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import should from 'should';
import { createTopic, type LocalKafka } from '../../scripts/kafka/local-kafka';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider';
import { startOAuthBroker } from '../support/oauth-broker';
import { uniqueName } from '../support/kafka';
import { brokerNode, debugNode, helperNode, tab, triggerNode, type FlowNode } from '../support/flows';
import {
  deploy,
  loggedBy,
  postCheck,
  loggedFromNow,
  startNodeRed,
  statusCalls,
  stopNodeRed,
  waitForStatus,
} from '../support/node-red';
import { connectEditorComms, type EditorComms } from '../support/node-red-comms';
import { deployFlows, startNodeRedProcess, type NodeRedProcess } from '../support/node-red-process';
import { waitFor } from '../support/wait';

const REGION = 'eu-west-1';
// Made-up keys in AWS's documented example format.
const FAKE_KEYS = {
  aws_access_key_id: 'AKIAIOSFODNN7EXAMPLE',
  aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  aws_session_token: 'FwoGZXIvYXdzEXAMPLEsessiontoken',
};
/** Every token for the region starts with this: the base64url of "https://kafka.eu-west-1.amazonaws.com/?A". */
const TOKEN_PREFIX = Buffer.from(`https://kafka.${REGION}.amazonaws.com/?A`).toString('base64url');

describe('kafka-broker aws-msk-iam against a broker that cannot accept an AWS token', function () {
  this.timeout(120000);
  let identityProvider: IdentityProvider;
  let oauthBroker: LocalKafka;
  let topic: string;

  before(async function () {
    this.timeout(180000);
    // The listener validates JWTs against this stand-in's JWKS; no AWS token can pass.
    identityProvider = await startIdentityProvider({ clients: {} });
    oauthBroker = await startOAuthBroker(identityProvider.jwksUrl);
    topic = uniqueName('msk-iam');
    await createTopic(oauthBroker, topic);
  });

  after(async () => {
    await oauthBroker?.destroy();
    await identityProvider?.stop();
  });

  /** A trigger on a broker node with aws-msk-iam, wired to `output` (a test helper node or a debug node). */
  function mskIamFlow(output: FlowNode): FlowNode[] {
    return [
      tab(),
      brokerNode('broker1', oauthBroker.listeners.OAUTH, {
        sasl_mechanism: 'aws-msk-iam',
        aws_region: REGION,
      }),
      triggerNode('trigger1', { broker: 'broker1', topic }, [output.id]),
      output,
    ];
  }

  describe('in Node-RED with the test helper', () => {
    beforeEach(startNodeRed);
    afterEach(stopNodeRed);

    it('reaches the SASL exchange and is refused: auth failed, a clear error, bounded attempts', async () => {
      const deployedAt = Date.now();
      await deploy(mskIamFlow(helperNode('out')), { broker1: FAKE_KEYS });
      const retried = loggedFromNow('trigger1', 'warn');
      await waitForStatus('trigger1', 'auth-failed', 30000);
      await waitFor(() => retried.length >= 3, 30000, 'three refused attempts');
      const elapsedS = (Date.now() - deployedAt) / 1000;

      const warnings = loggedBy('trigger1', 'warn');
      should(warnings).matchEach('kafka-trigger.errors.auth-failed');
      // The capped backoff: attempts at least half a second apart, and few for the time passed.
      for (let index = 1; index < retried.length; index += 1)
        should(retried[index].at - retried[index - 1].at).be.aboveOrEqual(490, 'retried too soon');
      should(warnings.length).be.belowOrEqual(1 + Math.log2(2 * elapsedS + 1));
      const shown = new Set(statusCalls('trigger1').map((call) => call.text));
      should([...shown]).eql(['kafka-trigger.status.connecting', 'kafka-trigger.status.auth-failed']);
      should(statusCalls('trigger1').at(-1)).containEql({ fill: 'red' });
      for (const text of [...warnings, ...loggedBy('trigger1', 'error')]) {
        should(text).not.containEql(FAKE_KEYS.aws_secret_access_key);
        should(text).not.containEql(TOKEN_PREFIX);
      }
    });
  });

  describe("the dialog's connection test", () => {
    beforeEach(async () => {
      await startNodeRed();
      await deploy([tab()]);
    });
    afterEach(stopNodeRed);

    it('signs with the keys typed in the dialog and answers the refusal as auth failed, echoing no key', async () => {
      const settings = {
        brokers: oauthBroker.listeners.OAUTH,
        sasl_mechanism: 'aws-msk-iam',
        aws_region: REGION,
      };
      const refused = await postCheck('/kafka-trigger/broker/topics', { ...settings, ...FAKE_KEYS });
      should(refused.body).have.properties({ failure: 'auth-failed' });
      should(refused.body.error).match(/SASL OAUTHBEARER: the broker refused the token/);
      should(JSON.stringify(refused.body)).not.containEql(FAKE_KEYS.aws_secret_access_key);
      const halfPair = await postCheck('/kafka-trigger/broker/topics', {
        ...settings,
        aws_access_key_id: FAKE_KEYS.aws_access_key_id,
      });
      should(halfPair.body).eql({ error: 'kafka-broker.errors.aws-keys-incomplete' });
    });
  });

  describe('in a Node-RED process', () => {
    let nodeRed: NodeRedProcess | undefined;
    let comms: EditorComms | undefined;
    afterEach(async () => {
      comms?.close();
      await nodeRed?.stop();
    });

    it('logs at trace level neither the secret access key, the session token nor a token, and exports no key', async () => {
      nodeRed = await startNodeRedProcess({
        settings: {
          credentialSecret: 'test-only-credential-key',
          logging: { console: { level: 'trace', metrics: false, audit: false } },
        },
      });
      comms = await connectEditorComms(nodeRed.baseUrl);
      const [tabNode, broker, ...rest] = mskIamFlow(debugNode('debug1', true));
      await deployFlows(nodeRed, [tabNode, { ...broker, credentials: FAKE_KEYS }, ...rest]);
      await comms.waitForStatus('trigger1', 'auth-failed');
      await waitFor(
        () => (nodeRed!.log().match(/The SASL login to Kafka brokers \S+ failed/g) ?? []).length >= 2,
        30000,
        'two refused attempts in the log',
      );

      const log = nodeRed.log();
      should(log).match(/\[trace\]/);
      // The clear error: the broker's refusal in the SASL OAUTHBEARER exchange, after the token was sent.
      should(log).match(
        /The SASL login to Kafka brokers \S+ failed \(attempt 1\): SASL OAUTHBEARER: the broker refused the token/,
      );
      should(log).not.containEql(FAKE_KEYS.aws_secret_access_key);
      should(log).not.containEql(FAKE_KEYS.aws_session_token);
      should(log).not.containEql(TOKEN_PREFIX);
      const exported = await (await fetch(`${nodeRed.baseUrl}/flows`)).text();
      should(exported).containEql('aws-msk-iam');
      for (const text of [
        exported,
        ...['flows.json', 'flows_cred.json'].map((file) =>
          readFileSync(path.join(nodeRed!.userDir, file), 'utf8'),
        ),
      ]) {
        should(text).not.containEql(FAKE_KEYS.aws_secret_access_key);
        should(text).not.containEql(FAKE_KEYS.aws_session_token);
      }
    });

    it('without keys and with nothing in the AWS chain: auth failed, an error saying where credentials come from', async () => {
      const emptyAws = path.join(os.tmpdir(), 'kafka-trigger-no-aws');
      nodeRed = await startNodeRedProcess({
        logLevel: 'info',
        // The standard chain finds nothing here, and never asks an instance metadata service.
        env: {
          AWS_ACCESS_KEY_ID: '',
          AWS_SECRET_ACCESS_KEY: '',
          AWS_SESSION_TOKEN: '',
          AWS_PROFILE: '',
          AWS_WEB_IDENTITY_TOKEN_FILE: '',
          AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
          AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
          AWS_SHARED_CREDENTIALS_FILE: `${emptyAws}-credentials`,
          AWS_CONFIG_FILE: `${emptyAws}-config`,
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      });
      comms = await connectEditorComms(nodeRed.baseUrl);
      const startedAt = Date.now();
      await deployFlows(nodeRed, mskIamFlow(debugNode('debug1', true)));
      await comms.waitForStatus('trigger1', 'auth-failed');
      const noCredentials =
        /The SASL login to Kafka brokers \S+ failed \(attempt \d+\): AWS MSK IAM found no usable AWS credentials/g;
      await waitFor(
        () => (nodeRed!.log().match(noCredentials) ?? []).length >= 3,
        30000,
        'three failed attempts',
      );
      const log = nodeRed.log();
      should(log).containEql("fill in the broker node's access key ID and secret access key");
      // The token cache's backoff bounds the credential look-ups, and with them the attempts.
      const elapsedS = (Date.now() - startedAt) / 1000;
      should((log.match(noCredentials) ?? []).length).be.belowOrEqual(1 + Math.log2(2 * elapsedS + 1));
    });
  });
});
