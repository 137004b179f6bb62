// One real Schema Registry per test process, started by the first test that asks for it (so suites
// that never do pay nothing), plus the few Confluent API calls tests make to prepare it.
import {
  startLocalSchemaRegistry,
  type LocalSchemaRegistry,
} from '../../scripts/schema-registry/local-schema-registry';

export type SchemaType = 'AVRO' | 'PROTOBUF' | 'JSON';
export type CompatibilityLevel =
  'NONE' | 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE';

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

export interface RegistryResponse<T = unknown> {
  status: number;
  body: T;
}

let registry: Promise<LocalSchemaRegistry> | undefined;

/**
 * The process's shared registry, started on the first call (give that test's hook a minute) and
 * reused after; the harness kills it and deletes its data when the process exits. Tests that stop it
 * must start it again.
 */
export function sharedSchemaRegistry(): Promise<LocalSchemaRegistry> {
  registry ??= startLocalSchemaRegistry().catch((error: unknown) => {
    // A failed start is not cached: the next test tries again and shows its own error.
    registry = undefined;
    throw error;
  });
  return registry;
}

/** Registers `schema` (its text) under `subject` and returns the id the registry gave it. */
export async function registerSchema(
  target: LocalSchemaRegistry,
  subject: string,
  schema: string,
  schemaType: SchemaType,
  references: SchemaReference[] = [],
): Promise<number> {
  const { status, body } = await registryRequest<{ id?: number }>(
    target,
    'POST',
    `/subjects/${encodeURIComponent(subject)}/versions`,
    { schema, schemaType, ...(references.length > 0 ? { references } : {}) },
  );
  if (status !== 200 || typeof body.id !== 'number') {
    throw new Error(
      `registering a ${schemaType} schema under ${subject}: HTTP ${status} ${JSON.stringify(body)}`,
    );
  }
  return body.id;
}

/**
 * Sets the compatibility level of `subject`, or the global default when no subject is given.
 * Apicurio's default is NONE (Confluent's is BACKWARD).
 */
export async function setCompatibility(
  target: LocalSchemaRegistry,
  level: CompatibilityLevel,
  subject?: string,
): Promise<void> {
  const configPath = subject === undefined ? '/config' : `/config/${encodeURIComponent(subject)}`;
  const { status, body } = await registryRequest(target, 'PUT', configPath, { compatibility: level });
  if (status !== 200) {
    throw new Error(
      `setting compatibility ${level} on ${configPath}: HTTP ${status} ${JSON.stringify(body)}`,
    );
  }
}

/** One call to the Confluent-compatible API (`apiPath` is relative to registry.url); never throws on a status. */
export async function registryRequest<T = unknown>(
  target: LocalSchemaRegistry,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  apiPath: string,
  body?: unknown,
): Promise<RegistryResponse<T>> {
  const response = await fetch(`${target.url}${apiPath}`, {
    method,
    headers: {
      Accept: 'application/vnd.schemaregistry.v1+json, application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/vnd.schemaregistry.v1+json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10000),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
}
