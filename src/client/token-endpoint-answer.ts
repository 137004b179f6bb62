import type { ExpiringToken } from './token-cache';

/**
 * How a token endpoint failed, in the failure classification's words: refused client credentials
 * are `auth-failed`, no answer is `unreachable`, anything else (a bad answer) is `failed`.
 */
export type TokenEndpointFailure = 'auth-failed' | 'unreachable' | 'failed';

/** A failed token request. Its message names the endpoint and never holds the secret or a token. */
export class TokenEndpointError extends Error {
  override readonly name = 'TokenEndpointError';

  constructor(
    readonly kind: TokenEndpointFailure,
    message: string,
    /** The network error's code (ECONNREFUSED, a TLS code...), so the classification can tell TLS apart. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * Lifetime assumed for a token whose answer has no expires_in and that is not a JWT with exp:
 * short, so that such a token is renewed (after 80%, 48 s) long before a typical one (5 to 60 min) ends.
 */
export const ASSUMED_LIFETIME_MS = 60_000;
/** The most of an endpoint's error_description a message quotes. */
const DESCRIPTION_MAX = 200;

/** The token endpoint as messages name it: without its query and without user info. */
export function endpointName(tokenUrl: string): string {
  try {
    const url = new URL(tokenUrl);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return 'the configured token URL';
  }
}

/** Whether an answer refuses the client's credentials (RFC 6749 5.2), rather than failing otherwise. */
export function isRefusal(status: number, body: string): boolean {
  if (status === 401) return true;
  const error = status === 400 ? errorFields(body).error : undefined;
  return error === 'invalid_client' || error === 'unauthorized_client';
}

/** Reads a token endpoint's answer to the client-credentials grant: a token, or the error to throw. */
export function readTokenAnswer(
  status: number,
  body: string,
  endpoint: string,
  now: number,
): ExpiringToken | TokenEndpointError {
  if (isRefusal(status, body)) {
    return new TokenEndpointError(
      'auth-failed',
      `the OAuth token endpoint ${endpoint} refused the client ID and secret (${statusText(status, body)}); check them in the kafka-broker node`,
    );
  }
  if (status < 200 || status > 299) {
    return new TokenEndpointError(
      'failed',
      `the OAuth token endpoint ${endpoint} answered ${statusText(status, body)}`,
    );
  }
  const answer = parseJson(body);
  if (answer === undefined) {
    return new TokenEndpointError(
      'failed',
      `the OAuth token endpoint ${endpoint} answered HTTP ${status} with something other than JSON`,
    );
  }
  const token = answer.access_token;
  if (typeof token !== 'string' || token === '') {
    return new TokenEndpointError(
      'failed',
      `the OAuth token endpoint ${endpoint} answered HTTP ${status} without an access_token`,
    );
  }
  return { value: token, expiresAt: expiryOf(answer.expires_in, token, now) };
}

/** From expires_in (seconds) when given, else the JWT's exp claim, else the assumed lifetime. */
export function expiryOf(expiresIn: unknown, token: string, now: number): number {
  const seconds = typeof expiresIn === 'string' ? Number(expiresIn) : expiresIn;
  if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0) return now + seconds * 1000;
  const exp = jwtExpiry(token);
  return exp !== undefined && exp > now ? exp : now + ASSUMED_LIFETIME_MS;
}

/** The exp claim (ms since the epoch) of a JWT; undefined for anything else. The token is not verified: it is ours. */
function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const claims = parseJson(Buffer.from(parts[1], 'base64url').toString('utf8'));
  return typeof claims?.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : undefined;
}

/** "HTTP 401 invalid_client: <description>", the description cut short. */
function statusText(status: number, body: string): string {
  const { error, description } = errorFields(body);
  const cut = description && description.length > DESCRIPTION_MAX;
  const said = description ? `: ${description.slice(0, DESCRIPTION_MAX)}${cut ? '…' : ''}` : '';
  return `HTTP ${status}${error ? ` ${error.slice(0, 64)}` : ''}${said}`;
}

function errorFields(body: string): { error?: string; description?: string } {
  const answer = parseJson(body);
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return { error: text(answer?.error), description: text(answer?.error_description) };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
