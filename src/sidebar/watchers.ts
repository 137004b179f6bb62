// Whether an editor has the Kafka tab open: each open tab says so every WATCH_RENEW_MS, and a word
// counts for WATCH_TTL_MS, so a closed browser stops the polling without saying goodbye.

/** How often an open tab renews its watch (the editor's side). */
export const WATCH_RENEW_MS = 10000;
/** How long a watch lasts without renewal: a renewal may come late. */
export const WATCH_TTL_MS = 25000;

export class Watchers {
  private until = 0;

  constructor(private readonly now: () => number = Date.now) {}

  watch(): void {
    this.until = this.now() + WATCH_TTL_MS;
  }

  get watched(): boolean {
    return this.now() < this.until;
  }
}
