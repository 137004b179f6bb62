import http from 'node:http';
import https from 'node:https';
import type { ExpiringToken } from './token-cache';
import { endpointName, isRefusal, readTokenAnswer, TokenEndpointError } from './token-endpoint-answer';

/** A kafka-broker node's OAuth settings with its client secret. */
export interface ClientCredentialsSettings {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  audience?: string;
}

/** One answer from the token endpoint. */
export interface EndpointAnswer {
  status: number;
  body: string;
}

/** Posts a form to the token endpoint; rejects on network errors and timeouts. */
export type PostForm = (
  url: string,
  form: string,
  headers: Record<string, string>,
) => Promise<EndpointAnswer>;

/** How long the token endpoint may take to answer. */
export const TOKEN_REQUEST_TIMEOUT_MS = 10_000;
/** Answers longer than this are cut: a token answer is a few kilobytes. */
const MAX_ANSWER_BYTES = 256 * 1024;

/** RFC 6749 2.3.1: the client sends its credentials in basic auth, or in the form when the endpoint wants that. */
type ClientAuthentication = 'basic' | 'form';

/**
 * Fetches tokens with the OAuth 2.0 client-credentials grant (RFC 6749 4.4). The client ID and
 * secret go in HTTP basic auth; when the endpoint refuses that, one more request sends them in the
 * form (client_secret_post), and the way that worked is kept for later tokens.
 */
export function clientCredentialsTokens(
  settings: ClientCredentialsSettings,
  post: PostForm = postForm,
  now: () => number = Date.now,
): () => Promise<ExpiringToken> {
  const endpoint = endpointName(settings.tokenUrl);
  let known: ClientAuthentication | undefined;

  async function request(via: ClientAuthentication): Promise<EndpointAnswer> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (settings.scope) form.set('scope', settings.scope);
    if (settings.audience) form.set('audience', settings.audience);
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    };
    if (via === 'basic') headers.Authorization = basicAuthorization(settings.clientId, settings.clientSecret);
    else {
      form.set('client_id', settings.clientId);
      form.set('client_secret', settings.clientSecret);
    }
    try {
      return await post(settings.tokenUrl, form.toString(), headers);
    } catch (error) {
      const { message, code } = error as NodeJS.ErrnoException;
      throw new TokenEndpointError(
        'unreachable',
        `the OAuth token endpoint ${endpoint} is unreachable: ${message}`,
        code,
      );
    }
  }

  return async () => {
    let via = known ?? 'basic';
    let answer = await request(via);
    if (known === undefined && isRefusal(answer.status, answer.body)) {
      via = 'form';
      answer = await request(via);
    }
    const token = readTokenAnswer(answer.status, answer.body, endpoint, now());
    if (token instanceof TokenEndpointError) throw token;
    known = via;
    return token;
  };
}

/** RFC 6749 2.3.1: the id and secret are form-urlencoded before they are joined and base64-encoded. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (text: string) => new URLSearchParams({ v: text }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

/**
 * POST with node:http(s). TLS uses Node's trusted CAs (with NODE_EXTRA_CA_CERTS): the broker's
 * TLS configuration is for the brokers, and an identity provider usually has a public certificate.
 */
export function postForm(
  url: string,
  form: string,
  headers: Record<string, string>,
  timeoutMs = TOKEN_REQUEST_TIMEOUT_MS,
): Promise<EndpointAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': Buffer.byteLength(form) },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () =>
      request.destroy(
        Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), {
          code: 'ETIMEDOUT',
        }),
      ),
    );
    request.on('error', reject);
    request.end(form);
  });
}
