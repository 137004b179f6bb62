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

/**
 * Counts a trigger's failed attempts in a row, for the backoff. A handled batch, or staying in the
 * group for a backoff cap, is health and starts the count again; joining alone is not, since a
 * consumer that joins and then crashes must keep backing off.
 */
export class RetryCount {
  failures = 0;
  private healthyTimer: NodeJS.Timeout | undefined;

  constructor(readonly policy: BackoffPolicy) {}

  /** Counts one more failure; returns the delay before the next attempt. */
  failed(): number {
    this.failures += 1;
    return retryDelay(this.failures, this.policy);
  }

  healthy(): void {
    this.failures = 0;
  }

  joinedGroup(): void {
    clearTimeout(this.healthyTimer);
    this.healthyTimer = setTimeout(() => this.healthy(), this.policy.maxMs);
  }

  leftGroup(): void {
    clearTimeout(this.healthyTimer);
  }
}
