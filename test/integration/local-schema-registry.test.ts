import { randomBytes } from 'node:crypto';
import should from 'should';
import type { LocalSchemaRegistry } from '../../scripts/schema-registry/local-schema-registry';
import {
  registerSchema,
  registryRequest,
  setCompatibility,
  sharedSchemaRegistry,
  type SchemaType,
} from '../support/schema-registry';

interface SchemaById {
  schema: string;
  schemaType?: SchemaType;
  references: unknown[];
}

interface SubjectVersion extends SchemaById {
  id: number;
  subject: string;
  version: number;
}

const AVRO_SCHEMA = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'harness.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'long' },
  ],
});
const JSON_SCHEMA = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { id: { type: 'string' }, amount: { type: 'integer' } },
  required: ['id'],
});
const PROTOBUF_SCHEMA = [
  'syntax = "proto3";',
  'package harness.test;',
  '',
  'message Order {',
  '  string id = 1;',
  '  int64 amount = 2;',
  '}',
  '',
].join('\n');

const SCHEMAS: { schemaType: SchemaType; schema: string }[] = [
  { schemaType: 'AVRO', schema: AVRO_SCHEMA },
  { schemaType: 'JSON', schema: JSON_SCHEMA },
  { schemaType: 'PROTOBUF', schema: PROTOBUF_SCHEMA },
];

/** Subjects unique to this run: the registry is shared by every test file in the process. */
function newSubject(name: string): string {
  return `harness-${name}-${randomBytes(4).toString('hex')}-value`;
}

interface Registered {
  subject: string;
  schemaType: SchemaType;
  schema: string;
  id: number;
}

async function registerAll(registry: LocalSchemaRegistry): Promise<Registered[]> {
  const registered: Registered[] = [];
  for (const { schemaType, schema } of SCHEMAS) {
    const subject = newSubject(schemaType.toLowerCase());
    registered.push({
      subject,
      schemaType,
      schema,
      id: await registerSchema(registry, subject, schema, schemaType),
    });
  }
  return registered;
}

/** What the registry serves for each registered schema, by id and as its subject's latest version. */
async function servedSchemas(registry: LocalSchemaRegistry, registered: Registered[]) {
  return Promise.all(
    registered.map(async ({ subject, id }) => ({
      byId: await registryRequest<SchemaById>(registry, 'GET', `/schemas/ids/${id}`),
      latest: await registryRequest<SubjectVersion>(
        registry,
        'GET',
        `/subjects/${encodeURIComponent(subject)}/versions/latest`,
      ),
    })),
  );
}

function assertServed(served: Awaited<ReturnType<typeof servedSchemas>>, registered: Registered[]): void {
  registered.forEach(({ subject, schemaType, schema, id }, index) => {
    const { byId, latest } = served[index];
    should(byId.status).equal(200, `GET /schemas/ids/${id}`);
    should(byId.body.schema).equal(schema);
    // Like Confluent's, the API leaves schemaType out for Avro, the default.
    should(byId.body.schemaType ?? 'AVRO').equal(schemaType);
    should(latest.status).equal(200, `GET /subjects/${subject}/versions/latest`);
    should(latest.body).match({ id, subject, version: 1, schema });
  });
}

describe('the test Schema Registry', function () {
  let registry: LocalSchemaRegistry;

  before(async function () {
    // The first start in a process may also build the registry (Maven, about a minute or two).
    this.timeout(300000);
    registry = await sharedSchemaRegistry();
  });

  it('serves the Confluent API on loopback under /apis/ccompat/v7', async () => {
    should(registry.url).match(/^http:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7$/);
    should(registry.url).startWith(`http://127.0.0.1:${registry.port}`);
    should(await sharedSchemaRegistry()).equal(registry);
  });

  it('registers Avro, JSON Schema and Protobuf schemas and serves them by id and as latest version', async () => {
    const registered = await registerAll(registry);
    should(new Set(registered.map(({ id }) => id)).size).equal(3, 'three distinct ids');
    assertServed(await servedSchemas(registry, registered), registered);

    // Registering the same schema again is idempotent: same id, no new version.
    const [avro] = registered;
    should(await registerSchema(registry, avro.subject, avro.schema, 'AVRO')).equal(avro.id);
    const versions = await registryRequest<number[]>(
      registry,
      'GET',
      `/subjects/${encodeURIComponent(avro.subject)}/versions`,
    );
    should(versions).eql({ status: 200, body: [1] });
  });

  it('answers an unknown schema id with 404 and error code 40403', async () => {
    const { status, body } = await registryRequest<{ error_code: number }>(
      registry,
      'GET',
      '/schemas/ids/987654321',
    );
    should(status).equal(404);
    should(body.error_code).equal(40403);
  });

  it('checks compatibility once a level is set: NONE by default, then 409 with error code 0', async () => {
    const global = await registryRequest<{ compatibilityLevel: string }>(registry, 'GET', '/config');
    should(global).match({ status: 200, body: { compatibilityLevel: 'NONE' } });

    const subject = newSubject('compat');
    const v1 = { type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }] };
    // A new field without a default: readers of v2 cannot read v1 data, so not BACKWARD compatible.
    const v2 = { ...v1, fields: [...v1.fields, { name: 'note', type: 'string' }] };
    await registerSchema(registry, subject, JSON.stringify(v1), 'AVRO');
    await setCompatibility(registry, 'BACKWARD', subject);
    const level = await registryRequest(registry, 'GET', `/config/${encodeURIComponent(subject)}`);
    should(level).match({ status: 200, body: { compatibilityLevel: 'BACKWARD' } });

    const refused = await registryRequest<{ error_code: number }>(
      registry,
      'POST',
      `/subjects/${encodeURIComponent(subject)}/versions`,
      { schema: JSON.stringify(v2) },
    );
    should(refused.status).equal(409);
    should(refused.body.error_code).equal(0);
  });

  describe('stopped and started again', () => {
    after(async function () {
      // Whatever happened above, later tests get the shared registry back running.
      this.timeout(120000);
      await registry.start();
    });

    it('refuses connections while stopped, then serves the same schemas under the same ids', async function () {
      this.timeout(120000);
      const registered = await registerAll(registry);
      const before = await servedSchemas(registry, registered);
      assertServed(before, registered);

      await registry.stop();
      should(registry.pid).be.undefined();
      const refused = await fetch(`${registry.url}/subjects`).then(
        () => undefined,
        (error: Error & { cause?: { code?: string } }) => error.cause?.code,
      );
      should(refused).equal('ECONNREFUSED');

      await registry.start();
      should(registry.pid).be.a.Number();
      const after = await servedSchemas(registry, registered);
      assertServed(after, registered);
      should(after.map(({ latest }) => latest.body)).eql(before.map(({ latest }) => latest.body));

      // The id sequence survived too: a schema registered now gets a new id, not a reused one.
      const subject = newSubject('after-restart');
      const schema = JSON.stringify({ type: 'enum', name: 'Colour', symbols: ['RED', 'GREEN'] });
      const newId = await registerSchema(registry, subject, schema, 'AVRO');
      should(registered.map(({ id }) => id)).not.containEql(newId);
      should(newId).be.above(Math.max(...registered.map(({ id }) => id)));
    });
  });
});
