export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30000 };

/**
 * Delay before retry number `attempt` (1-based): exponential growth capped at maxMs, with "equal
 * jitter" (half fixed, half random) so that many triggers restarting together spread out.
 */
export function retryDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random = Math.random,
): number {
  const exponential = policy.initialMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30);
  const capped = Math.min(exponential, policy.maxMs);
  return Math.round(capped / 2 + (random() * capped) / 2);
}
