/** Why a consumer attempt failed, as far as the trigger needs to tell the user. */
export type FailureKind = 'unreachable' | 'topic-missing' | 'failed';

interface KafkaError extends Error {
  type?: string;
  code?: string;
  cause?: unknown;
  originalError?: unknown;
}

const UNREACHABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaJSGroupCoordinatorNotFound',
]);
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
]);

/** Classifies an error by walking kafkajs's chain of causes (retries wrap the original error). */
export function classifyFailure(error: unknown): FailureKind {
  let kind: FailureKind = 'failed';
  for (const cause of causeChain(error)) {
    if (cause.type === 'UNKNOWN_TOPIC_OR_PARTITION') return 'topic-missing';
    if (UNREACHABLE_NAMES.has(cause.name) || (cause.code && UNREACHABLE_CODES.has(cause.code)))
      kind = 'unreachable';
  }
  return kind;
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
