import { retryDelay, type BackoffPolicy, DEFAULT_BACKOFF } from './backoff';

/** A login token and the time (ms since the epoch) it stops being valid. */
export interface ExpiringToken {
  value: string;
  expiresAt: number;
}

export interface TokenCacheOptions {
  /** Fetches a new token: from an OAuth token endpoint, or signed for AWS. */
  fetch: () => Promise<ExpiringToken>;
  /** A token is renewed once this share of its lifetime has passed (Kafka's Java client uses 0.8). */
  refreshAfter?: number;
  backoff?: BackoffPolicy;
  now?: () => number;
}

const REFRESH_AFTER = 0.8;

/**
 * Hands every client of one broker node the same token, and fetches a new one only when it is due:
 * one fetch in flight at a time, and after a failed fetch none until the backoff has passed, so a
 * refused secret or a dead endpoint costs a bounded number of requests however many clients retry.
 * A token still valid is used while its renewal fails.
 */
export class TokenCache {
  private token: ExpiringToken | undefined;
  private renewAt = 0;
  private fetching: Promise<ExpiringToken> | undefined;
  private failures = 0;
  private failed: { error: Error; retryAt: number } | undefined;
  private readonly now: () => number;

  constructor(private readonly options: TokenCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A token valid now: the cached one, or a fresh one when the cached one is due for renewal. */
  get(): Promise<ExpiringToken> {
    const now = this.now();
    const usable = this.token && this.token.expiresAt > now ? this.token : undefined;
    if (usable && now < this.renewAt) return Promise.resolve(usable);
    if (this.failed && now < this.failed.retryAt) {
      return usable ? Promise.resolve(usable) : Promise.reject(this.failed.error);
    }
    this.fetching ??= this.renew().finally(() => {
      this.fetching = undefined;
    });
    return usable ? this.fetching.catch(() => usable) : this.fetching;
  }

  private async renew(): Promise<ExpiringToken> {
    try {
      const fetchedAt = this.now();
      const token = await this.options.fetch();
      const lifetime = Math.max(token.expiresAt - fetchedAt, 0);
      this.token = token;
      this.renewAt = fetchedAt + lifetime * (this.options.refreshAfter ?? REFRESH_AFTER);
      this.failures = 0;
      this.failed = undefined;
      return token;
    } catch (error) {
      this.failures += 1;
      const delay = retryDelay(this.failures, this.options.backoff ?? DEFAULT_BACKOFF);
      this.failed = {
        error: error instanceof Error ? error : new Error(String(error)),
        retryAt: this.now() + delay,
      };
      throw error;
    }
  }
}
