import http from 'node:http';
import https from 'node:https';
import type { ConnectionOptions } from 'node:tls';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { TimeoutMiddleware } from 'mappersmith/middleware/timeout';

/** How a broker node reaches its Schema Registry. */
export interface RegistrySettings {
  url: string;
  username?: string;
  password?: string;
  /** The broker node's TLS options, used for an https: URL. */
  tls?: ConnectionOptions;
}

/** What the registry library's schemas offer: Avro, Protobuf and JSON Schema alike. */
export interface RegisteredSchema {
  fromBuffer(payload: Buffer): unknown;
  toBuffer(payload: object): Buffer;
  isValid(payload: object, opts?: { errorHook: (path: string[], value: unknown) => void }): boolean;
}

/** The registry could not answer (unreachable, timed out, 5xx, refused the credentials): worth waiting for. */
export class RegistryUnavailable extends Error {
  constructor(error: unknown) {
    super(`Schema Registry unavailable: ${describeRegistryError(error)}`);
    this.name = 'RegistryUnavailable';
  }
}

/** A value or payload the registry's schemas cannot turn into bytes or back: that record or msg fails. */
export class SchemaMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaMismatch';
  }
}

const REQUEST_TIMEOUT_MS = 10000;
/** How long a subject's latest schema id is used before it is asked for again. */
const LATEST_ID_TTL_MS = 30000;

/**
 * One broker node's Schema Registry: schemas fetched once per id and kept, so that decoding a record
 * is a synchronous lookup. The library's own retries are off: the trigger and the producer retry
 * with their own backoff, and a request that hangs ends after REQUEST_TIMEOUT_MS.
 */
export class SchemaRegistryClient {
  private readonly registry: SchemaRegistry;
  private readonly schemas = new Map<number, RegisteredSchema>();
  private readonly latest = new Map<string, { id: number; fetchedAt: number }>();
  private readonly agent: http.Agent;

  constructor(readonly settings: RegistrySettings) {
    const secure = settings.url.startsWith('https:');
    this.agent = secure
      ? new https.Agent({ ...settings.tls, keepAlive: true })
      : new http.Agent({ keepAlive: true });
    const { agent } = this;
    this.registry = new SchemaRegistry({
      host: settings.url,
      auth: settings.username
        ? { username: settings.username, password: settings.password ?? '' }
        : undefined,
      clientId: 'node-red-kafka-trigger',
      retry: { retries: 0 },
      agent,
      middlewares: [TimeoutMiddleware(REQUEST_TIMEOUT_MS)],
    });
  }

  /** The schema of `id` once load() has fetched it; undefined for an id the registry does not know. */
  schema(id: number): RegisteredSchema | undefined {
    return this.schemas.get(id);
  }

  /**
   * Fetches the schemas of `ids` not fetched yet. An id the registry does not know, or a schema the
   * library cannot read, is left out (its records fail); anything else rejects with RegistryUnavailable.
   */
  async load(ids: Iterable<number>): Promise<void> {
    for (const id of ids) {
      if (this.schemas.has(id)) continue;
      try {
        this.schemas.set(id, await this.registry.getSchema(id));
      } catch (error) {
        if (!isUnknownOrUnreadable(error)) throw new RegistryUnavailable(error);
      }
    }
  }

  /**
   * The subject's latest schema id, asked for again once LATEST_ID_TTL_MS old; while the registry is
   * away a known id goes on being used.
   */
  async latestId(subject: string): Promise<number> {
    const known = this.latest.get(subject);
    if (known && Date.now() - known.fetchedAt < LATEST_ID_TTL_MS) return known.id;
    try {
      const id = await this.registry.getLatestSchemaId(subject);
      this.latest.set(subject, { id, fetchedAt: Date.now() });
      return id;
    } catch (error) {
      if (statusOf(error) === 404)
        throw new SchemaMismatch(`subject "${subject}" has no schema in the registry`);
      if (known) return known.id;
      throw new RegistryUnavailable(error);
    }
  }

  /** Encodes `payload` with the subject's latest schema, in Confluent's wire format. */
  async encode(subject: string, payload: unknown): Promise<Buffer> {
    const id = await this.latestId(subject);
    await this.load([id]);
    const schema = this.schemas.get(id);
    if (!schema) throw new SchemaMismatch(`schema id ${id} of subject "${subject}" cannot be read`);
    let body: Buffer;
    try {
      body = schema.toBuffer(payload as object);
    } catch (error) {
      const where = invalidPaths(schema, payload as object);
      throw new SchemaMismatch(
        `the payload does not match subject "${subject}"${where}: ${messageOf(error)}`,
      );
    }
    return encodeWire(id, body);
  }

  /** The registry's subjects: the broker dialog's "test registry" check. */
  async subjects(): Promise<string[]> {
    const { url, username, password } = this.settings;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (username)
      headers.authorization = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
    const client = url.startsWith('https:') ? https : http;
    const body = await new Promise<string>((resolve, reject) => {
      const request = client.get(
        `${url}/subjects`,
        { agent: this.agent, headers, timeout: REQUEST_TIMEOUT_MS },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () =>
            response.statusCode === 200
              ? resolve(text)
              : reject(new Error(`HTTP ${response.statusCode} ${response.statusMessage ?? ''}`.trim())),
          );
        },
      );
      request.on('timeout', () => request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      request.on('error', reject);
    });
    return JSON.parse(body) as string[];
  }

  /** Lets go of the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

/** Confluent's wire format: magic byte 0, the schema id as a 4-byte big-endian integer, the body. */
export function encodeWire(id: number, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1);
  return Buffer.concat([header, body]);
}

/** The schema id of a wire-format value, or undefined when the bytes are not in that format. */
export function wireSchemaId(value: Buffer): number | undefined {
  return value.length >= 5 && value[0] === 0 ? value.readInt32BE(1) : undefined;
}

function isUnknownOrUnreadable(error: unknown): boolean {
  const status = statusOf(error);
  return status === undefined || status === 404;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function invalidPaths(schema: RegisteredSchema, payload: object): string {
  const paths: string[] = [];
  try {
    schema.isValid(payload, { errorHook: (path) => paths.push(path.join('.') || '(root)') });
  } catch {
    return '';
  }
  return paths.length > 0 ? ` (at ${paths.join(', ')})` : '';
}

/**
 * The registry library's errors read "<client id> - <message>", and it reports a connection that
 * failed as HTTP 400: the cause alone says more.
 */
function describeRegistryError(error: unknown): string {
  const message = messageOf(error).replace(/^[^ ]* - /, '');
  const status = statusOf(error);
  const networkError = /^Error, status 400: (.*)$/.exec(message);
  if (networkError) return networkError[1];
  return status === undefined || message.includes(String(status)) ? message : `HTTP ${status}: ${message}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
