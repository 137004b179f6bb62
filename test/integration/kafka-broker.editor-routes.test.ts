import should from 'should';
import { newTopic, uniqueName } from '../support/kafka';
import { registerSchema, sharedSchemaRegistry } from '../support/schema-registry';
import { tab } from '../support/flows';
import { deploy, postCheck, startNodeRed, stopNodeRed } from '../support/node-red';
import { startNodeRedProcess, type NodeRedProcess } from '../support/node-red-process';
import { sharedBroker } from '../support/shared-broker';

const ROUTE = '/kafka-trigger/broker/topics';

describe("the kafka-broker dialog's connection test", function () {
  describe('in a runtime', () => {
    beforeEach(async () => {
      await startNodeRed();
      await deploy([tab()]);
    });
    afterEach(stopNodeRed);

    it('lists the topics of a reachable cluster', async () => {
      const topic = await newTopic('listed');
      const response = await postCheck(ROUTE, { brokers: sharedBroker().bootstrap });
      should(response.status).equal(200);
      should(response.body.topics).containEql(topic);
      should(response.body.topics?.some((name) => name.startsWith('__'))).be.false();
    });

    it('says why it cannot connect', async () => {
      const response = await postCheck(ROUTE, { brokers: '127.0.0.1:1' });
      should(response.body).have.properties({ failure: 'unreachable' });
      should(response.body.error).match(/ECONNREFUSED/);
    });

    it('rejects settings that are wrong before connecting', async () => {
      const response = await postCheck(ROUTE, { brokers: 'no-port-here' });
      should(response.body).eql({ error: 'kafka-broker.errors.invalid-broker' });
    });
  });

  describe("the registry check ('Test registry')", () => {
    const REGISTRY_ROUTE = '/kafka-trigger/broker/schema-registry';
    beforeEach(async () => {
      await startNodeRed();
      await deploy([tab()]);
    });
    afterEach(stopNodeRed);

    it("lists the registry's subjects", async function () {
      this.timeout(120000);
      const registry = await sharedSchemaRegistry();
      const subject = uniqueName('route-subject');
      await registerSchema(registry, subject, '"string"', 'AVRO');
      const response = await postCheck(REGISTRY_ROUTE, { schema_registry_url: registry.url });
      should(response.status).equal(200);
      should(response.body.subjects).containEql(subject);
    });

    it('says why it cannot reach the registry, and what is wrong with the URL', async () => {
      const unreachable = await postCheck(REGISTRY_ROUTE, { schema_registry_url: 'http://127.0.0.1:1' });
      should(unreachable.body.error).match(/ECONNREFUSED/);
      const invalid = await postCheck(REGISTRY_ROUTE, { schema_registry_url: 'ftp://registry' });
      should(invalid.body).eql({ error: 'kafka-broker.errors.invalid-registry-url' });
      const none = await postCheck(REGISTRY_ROUTE, {});
      should(none.body).eql({ error: 'kafka-broker.errors.no-registry-url' });
    });
  });

  describe('with admin authentication', () => {
    let nodeRed: NodeRedProcess | undefined;
    after(async () => nodeRed?.stop());

    it('refuses a caller without the kafka-broker write permission', async () => {
      nodeRed = await startNodeRedProcess({
        settings: {
          adminAuth: {
            type: 'credentials',
            // bcrypt of a throwaway password: the test only needs a user to exist.
            users: [
              {
                username: 'admin',
                password: '$2b$08$HYUfi5NH2702Eod0t4S81e4VIhOMC0o7Bch4OdjHw.bVt6HTr5dMe',
                permissions: '*',
              },
            ],
          },
        },
      });
      const response = await fetch(`${nodeRed.baseUrl}${ROUTE}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ brokers: sharedBroker().bootstrap }),
      });
      should(response.status).equal(401);
    });
  });
});
