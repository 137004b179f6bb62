/** Counts records the flow has not finished and lets the consumer wait for room below a cap. */
export class InFlightLimit {
  private count = 0;
  private waiters: (() => void)[] = [];

  constructor(readonly max: number) {}

  get size(): number {
    return this.count;
  }

  enter(): void {
    this.count += 1;
  }

  leave(): void {
    this.count -= 1;
    if (this.count < this.max || this.count === 0) this.wake();
  }

  /** Resolves true once there is room, or false after `ms`, so that the caller can heartbeat and look again. */
  waitForRoom(ms: number): Promise<boolean> {
    if (this.count < this.max) return Promise.resolve(true);
    return this.waitFor(() => this.count < this.max, ms);
  }

  /** Resolves true once nothing is in flight, or false after `ms`. */
  waitUntilIdle(ms: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return this.waitFor(() => this.count === 0, ms);
  }

  /** Wakes every waiter, e.g. when the consumer is closing. */
  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  private waitFor(condition: () => boolean, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(condition()), ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(condition());
      });
    });
  }
}
