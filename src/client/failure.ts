import { TokenEndpointError } from './token-endpoint-answer';

/** Why a consumer attempt failed, as far as the trigger needs to tell the user. */
export type FailureKind =
  'unreachable' | 'topic-missing' | 'auth-failed' | 'tls-failed' | 'connection-closed' | 'failed';

/**
 * A login that failed before the broker was asked, such as no usable cloud credentials: shown as
 * auth failed like a refusal by the broker.
 */
export class AuthFailedError extends Error {
  override name = 'AuthFailedError';
}

interface KafkaError extends Error {
  type?: string;
  code?: string;
  cause?: unknown;
  originalError?: unknown;
}

const UNREACHABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaJSGroupCoordinatorNotFound',
]);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE']);
const AUTH_TYPES = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'UNSUPPORTED_SASL_MECHANISM',
  'ILLEGAL_SASL_STATE',
]);
/** Node's certificate verification codes, and OpenSSL's handshake errors. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Classifies an error by walking kafkajs's chain of causes (retries wrap the original error). A
 * login token's fetch fails with a TokenEndpointError: refused client credentials are auth-failed,
 * an endpoint out of reach is unreachable, or tls-failed when its code says the TLS check failed.
 */
export function classifyFailure(error: unknown): FailureKind {
  let kind: FailureKind = 'failed';
  for (const cause of causeChain(error)) {
    const fetchFailure = tokenFetchFailure(cause);
    if (fetchFailure) return fetchFailure;
    if (cause.type === 'UNKNOWN_TOPIC_OR_PARTITION') return 'topic-missing';
    if (
      cause instanceof AuthFailedError ||
      cause.name === 'KafkaJSSASLAuthenticationError' ||
      (cause.type && AUTH_TYPES.has(cause.type))
    ) {
      return 'auth-failed';
    }
    if (isTlsCode(cause.code)) return 'tls-failed';
    if (cause.name === 'KafkaJSConnectionClosedError' || cause.code === 'ECONNRESET')
      kind = 'connection-closed';
    else if (UNREACHABLE_NAMES.has(cause.name) || (cause.code && UNREACHABLE_CODES.has(cause.code))) {
      kind = kind === 'connection-closed' ? kind : 'unreachable';
    }
  }
  return kind;
}

/** What a failed token fetch means for the badge; undefined for other errors and for TLS ones (classified below). */
function tokenFetchFailure(error: Error): FailureKind | undefined {
  if (!(error instanceof TokenEndpointError) || isTlsCode(error.code)) return undefined;
  return error.kind === 'failed' ? undefined : error.kind;
}

/** Node's TLS error codes are strings; kafkajs's protocol errors carry numeric codes. */
function isTlsCode(code: unknown): boolean {
  return typeof code === 'string' && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_'));
}

/**
 * Whether the broker said to try again (a partition without a leader, a leader that moved, a broker
 * still loading its log): kafkajs marks such protocol errors retriable and gives up after its own
 * few retries, which a broker restart easily outlasts.
 */
export function isRetriable(error: unknown): boolean {
  return causeChain(error).some(
    (cause) => cause.name === 'KafkaJSProtocolError' && (cause as { retriable?: boolean }).retriable === true,
  );
}

/** The innermost message, which names the real problem rather than the retry that gave up. */
export function rootMessage(error: unknown): string {
  const chain = causeChain(error);
  const innermost = chain[chain.length - 1];
  return innermost ? innermost.message : String(error);
}

function causeChain(error: unknown): KafkaError[] {
  const chain: KafkaError[] = [];
  let current: unknown = error;
  while (current instanceof Error && chain.length < 20) {
    const kafkaError = current as KafkaError;
    chain.push(kafkaError);
    current = kafkaError.cause ?? kafkaError.originalError;
  }
  return chain;
}
