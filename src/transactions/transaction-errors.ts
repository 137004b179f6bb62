/** Broker refusals of a record itself, which a second try cannot change. */
const RECORD_REFUSALS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TIMESTAMP',
  'CORRUPT_MESSAGE',
]);

/** Whether the broker refused the record for what it is (too large, say), not for a passing reason. */
export function refusedForGood(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = causeOf(cause)) {
    const { type } = cause as { type?: unknown };
    if (typeof type === 'string' && RECORD_REFUSALS.has(type)) return true;
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
