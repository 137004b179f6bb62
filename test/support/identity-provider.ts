// A stand-in for an identity provider (Keycloak, Okta, Entra ID...) in tests: a small OAuth 2.0
// client-credentials token endpoint that issues RS256 JWTs, and the JWKS a Kafka broker checks them
// against. Only the token issuing is stand-in; the broker's validation of the tokens is Kafka's own.
import { createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface IdentityProviderOptions {
  /** Registered clients: client id -> secret. */
  clients: Record<string, string>;
  /** Seconds a token lasts (expires_in and the JWT's exp). */
  tokenLifetimeS?: number;
  audience?: string;
  /** Fixed port, e.g. to restart on the same one; a free port when omitted. */
  port?: number;
}

/** One POST /token as the stand-in saw it. */
export interface TokenRequest {
  at: number;
  clientId: string | undefined;
  /** How the client sent its credentials: basic auth (client_secret_basic) or the form (client_secret_post). */
  via: 'basic' | 'form' | 'none';
  granted: boolean;
}

export interface IdentityProvider {
  /** http://127.0.0.1:<port>/token */
  readonly tokenUrl: string;
  /** http://127.0.0.1:<port>/jwks */
  readonly jwksUrl: string;
  readonly port: number;
  /** Every POST /token since start, granted or not. */
  readonly requests: TokenRequest[];
  /** Every access token issued, to look for them where they must not be. */
  readonly issued: string[];
  /** Makes /token answer 401 invalid_client to everyone (true) or behave normally (false). */
  refuseAll(refuse: boolean): void;
  /** Makes /token refuse basic auth with 401 invalid_client, as endpoints that only take client_secret_post do. */
  acceptFormOnly(formOnly: boolean): void;
  /** Closes the port (existing connections too); start() opens the same one again, with the same keys. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

const KEY_ID = 'stand-in-idp-key-1';
const ISSUER = 'http://stand-in-identity-provider';

export async function startIdentityProvider(options: IdentityProviderOptions): Promise<IdentityProvider> {
  const provider = new StandInIdentityProvider(options);
  await provider.start();
  return provider;
}

class StandInIdentityProvider implements IdentityProvider {
  readonly requests: TokenRequest[] = [];
  readonly issued: string[] = [];
  private server: http.Server | undefined;
  private boundPort: number;
  private refusing = false;
  private formOnly = false;
  private readonly privateKey: KeyObject;
  private readonly publicJwk: Record<string, unknown>;

  constructor(private readonly options: IdentityProviderOptions) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: KEY_ID, alg: 'RS256', use: 'sig' };
    this.boundPort = options.port ?? 0;
  }

  get port(): number {
    return this.boundPort;
  }

  get tokenUrl(): string {
    return `http://127.0.0.1:${this.boundPort}/token`;
  }

  get jwksUrl(): string {
    return `http://127.0.0.1:${this.boundPort}/jwks`;
  }

  refuseAll(refuse: boolean): void {
    this.refusing = refuse;
  }

  acceptFormOnly(formOnly: boolean): void {
    this.formOnly = formOnly;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, '127.0.0.1', () => resolve());
    });
    this.boundPort = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method === 'GET' && req.url === '/jwks') return answer(res, 200, { keys: [this.publicJwk] });
    if (req.method !== 'POST' || req.url !== '/token') return answer(res, 404, { error: 'not_found' });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => this.token(req, Buffer.concat(chunks).toString('utf8'), res));
  }

  /** RFC 6749 4.4: the client-credentials grant, with client_secret_basic or client_secret_post. */
  private token(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const form = new URLSearchParams(body);
    const client = clientCredentials(req.headers.authorization, form);
    const request: TokenRequest = { at: Date.now(), clientId: client.id, via: client.via, granted: false };
    this.requests.push(request);
    if (form.get('grant_type') !== 'client_credentials') {
      return answer(res, 400, { error: 'unsupported_grant_type' });
    }
    const known = client.id !== undefined && this.options.clients[client.id] === client.secret;
    if (this.refusing || !known || (this.formOnly && client.via === 'basic')) {
      return answer(res, 401, { error: 'invalid_client' });
    }
    request.granted = true;
    const lifetimeS = this.options.tokenLifetimeS ?? 30;
    // Kafka's validator refuses an empty scope claim; a client that asks for none gets the default one.
    const token = this.sign(client.id!, form.get('scope') || 'kafka', lifetimeS);
    this.issued.push(token);
    answer(res, 200, { access_token: token, token_type: 'Bearer', expires_in: lifetimeS });
  }

  private sign(subject: string, scope: string, lifetimeS: number): string {
    const iat = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', kid: KEY_ID };
    const claims = {
      sub: subject,
      iss: ISSUER,
      aud: this.options.audience ?? 'kafka',
      iat,
      exp: iat + lifetimeS,
      scope,
      jti: randomBytes(8).toString('hex'),
    };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(this.privateKey);
    return `${signingInput}.${signature.toString('base64url')}`;
  }
}

/** The client id and secret from HTTP basic auth (form-urlencoded, RFC 6749 2.3.1) or from the form. */
function clientCredentials(
  authorization: string | undefined,
  form: URLSearchParams,
): { id: string | undefined; secret: string | undefined; via: TokenRequest['via'] } {
  const basic = /^Basic (.+)$/i.exec(authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.includes(':') ? decoded.indexOf(':') : decoded.length;
    const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)), via: 'basic' };
  }
  const id = form.get('client_id') ?? undefined;
  return { id, secret: form.get('client_secret') ?? undefined, via: id === undefined ? 'none' : 'form' };
}

function answer(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
