// The broker node's registry settings: basic-auth credentials from Node-RED's credentials store, and
// HTTPS with its TLS configuration, against the real test registry behind a basic-auth gateway.
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import should from 'should';
import type { LocalSchemaRegistry } from '../../scripts/schema-registry/local-schema-registry';
import { makeTestCertificates, type TestCertificates } from '../support/certificates';
import { brokerNode, helperNode, tab, tlsConfigNode, triggerNode } from '../support/flows';
import { newTopic, produce, uniqueName } from '../support/kafka';
import {
  collect,
  deploy,
  postCheck,
  loggedBy,
  startNodeRed,
  stopNodeRed,
  waitForStatus,
} from '../support/node-red';
import { startRegistryGateway, type RegistryGateway } from '../support/registry-gateway';
import { registerSchema, sharedSchemaRegistry } from '../support/schema-registry';
import { sharedBroker } from '../support/shared-broker';
import { waitFor } from '../support/wait';

const USER = { username: 'registry-reader', password: 'registry-secret-1' };
const ROUTE = '/kafka-trigger/broker/schema-registry';

describe('kafka-broker: a Schema Registry that asks for credentials', function () {
  let registry: LocalSchemaRegistry;
  let certificates: TestCertificates;
  let plain: RegistryGateway;
  let secure: RegistryGateway;

  before(async function () {
    this.timeout(120000);
    registry = await sharedSchemaRegistry();
    certificates = makeTestCertificates();
    plain = await startRegistryGateway({ target: registry.url, ...USER });
    secure = await startRegistryGateway({
      target: registry.url,
      ...USER,
      tls: { key: certificates.serverKey, cert: certificates.serverCert },
    });
  });
  after(async () => {
    await plain?.close();
    await secure?.close();
    certificates?.remove();
  });
  beforeEach(startNodeRed);
  afterEach(stopNodeRed);

  async function deployTrigger(topic: string, password: string) {
    await deploy(
      [
        tab(),
        brokerNode('broker1', sharedBroker().bootstrap, { schema_registry_url: plain.url }),
        triggerNode(
          'trigger1',
          { broker: 'broker1', topic, start_from: 'earliest', message_format: 'schema-registry' },
          ['out'],
        ),
        helperNode('out'),
      ],
      { broker1: { schema_registry_username: USER.username, schema_registry_password: password } },
    );
    return collect('out');
  }

  it('decodes with the credentials from the store; refused credentials make the records wait', async () => {
    const topic = await newTopic('registry-auth');
    const id = await registerSchema(registry, `${topic}-value`, '"string"', 'AVRO');
    await produce(topic, [
      { value: await new SchemaRegistry({ host: registry.url }).encode(id, 'with auth') },
    ]);

    const refusedBefore = plain.refused;
    const waiting = await deployTrigger(topic, 'wrong-password');
    await waitForStatus('trigger1', 'registry-unavailable', 30000);
    should(waiting).be.empty();
    should(plain.refused).be.above(refusedBefore);
    should(loggedBy('trigger1', 'warn')).containEql('kafka-trigger.errors.registry-unavailable');
    await stopNodeRed();

    await startNodeRed();
    const received = await deployTrigger(topic, USER.password);
    await waitFor(() => received.length === 1, 30000, 'the record');
    should(received[0].payload.message).equal('with auth');
  });

  it("'Test registry' reaches an HTTPS registry through the TLS configuration, with the stored password", async () => {
    const subject = uniqueName('https-subject');
    await registerSchema(registry, subject, '"string"', 'AVRO');
    await deploy(
      [
        tab(),
        brokerNode('broker1', sharedBroker().bootstrap, { schema_registry_url: secure.url, tls: 'tls1' }),
        tlsConfigNode('tls1'),
      ],
      {
        broker1: { schema_registry_username: USER.username, schema_registry_password: USER.password },
        tls1: { cadata: certificates.ca, certdata: '', keydata: '' },
      },
    );
    const form = {
      id: 'broker1',
      brokers: sharedBroker().bootstrap,
      tls: 'tls1',
      schema_registry_url: secure.url,
      schema_registry_username: USER.username,
    };
    const stored = await postCheck(ROUTE, { ...form, schema_registry_password: '__PWRD__' });
    should(stored.body.subjects).containEql(subject);
    const wrong = await postCheck(ROUTE, { ...form, schema_registry_password: 'wrong' });
    should(wrong.body.error).match(/401/);
    should(JSON.stringify(wrong.body)).not.containEql(USER.password);
    // Without the CA the certificate is not trusted.
    const untrusted = await postCheck(ROUTE, { ...form, tls: '', schema_registry_password: '__PWRD__' });
    should(untrusted.body.error).match(/certificate/i);
  });
});
