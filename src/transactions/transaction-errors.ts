/** Broker refusals of a record itself, which a second try cannot change. */
const RECORD_REFUSALS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TIMESTAMP',
  'CORRUPT_MESSAGE',
]);

/** Refusals of a producer whose transactional id another producer has started since (a zombie's). */
const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);

/** Whether the producer was fenced: the partition's transactional id has a newer user. */
export function isFenced(error: unknown): boolean {
  return typeOf(error, (type) => FENCED.has(type));
}

/** Whether the broker refused the record for what it is (too large, say), not for a passing reason. */
export function refusedForGood(error: unknown): boolean {
  return typeOf(error, (type) => RECORD_REFUSALS.has(type));
}

/** Whether the kafkajs error type of the error, or of one under it, passes `test`. */
function typeOf(error: unknown, test: (type: string) => boolean): boolean {
  for (let cause = error; cause instanceof Error; cause = causeOf(cause)) {
    const { type } = cause as { type?: unknown };
    if (typeof type === 'string' && test(type)) return true;
  }
  return false;
}

/** kafkajs keeps the error under a retry's in `originalError`, others in `cause`. */
function causeOf(error: Error): unknown {
  const { originalError, cause } = error as { originalError?: unknown; cause?: unknown };
  return originalError ?? cause;
}

/** Whether kafkajs marks the error (or the one under it) as one that may pass. */
export function isRetriable(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = causeOf(cause))
    if ((cause as { retriable?: unknown }).retriable === true) return true;
  return false;
}
