interface Waiter {
  /** What the waiter waits for; it is woken once this holds. */
  ready(): boolean;
  wake(): void;
}

/**
 * Counts records the flow has not finished and lets the consumer wait for room below a cap. A wait
 * for room ends once the count is down to half the cap, not at the first record that leaves: the
 * consumer then hands over a part of records at once instead of one record per wake.
 */
export class InFlightLimit {
  private count = 0;
  private waiters: Waiter[] = [];
  private readonly lowMark: number;

  constructor(readonly max: number) {
    this.lowMark = Math.floor(max / 2);
  }

  get size(): number {
    return this.count;
  }

  /** How many more records may enter now. */
  get room(): number {
    return Math.max(0, this.max - this.count);
  }

  enter(): void {
    this.count += 1;
  }

  leave(): void {
    this.count -= 1;
    if (this.waiters.length > 0) this.wakeReady();
  }

  /** Resolves true once there is room, or false after `ms`, so that the caller can heartbeat and look again. */
  waitForRoom(ms: number): Promise<boolean> {
    if (this.count < this.max) return Promise.resolve(true);
    return this.waitFor(
      () => this.count <= this.lowMark,
      () => this.count < this.max,
      ms,
    );
  }

  /** Resolves true once nothing is in flight, or false after `ms`. */
  waitUntilIdle(ms: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    const idle = () => this.count === 0;
    return this.waitFor(idle, idle, ms);
  }

  /** Wakes every waiter, e.g. when the consumer is closing. */
  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.wake();
  }

  private wakeReady(): void {
    if (!this.waiters.some((waiter) => waiter.ready())) return;
    const ready = this.waiters.filter((waiter) => waiter.ready());
    this.waiters = this.waiters.filter((waiter) => !ready.includes(waiter));
    for (const waiter of ready) waiter.wake();
  }

  /** Waits until `ready` holds (or a wake, or `ms`), then resolves whether `answer` holds. */
  private waitFor(ready: () => boolean, answer: () => boolean, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((other) => other !== waiter);
        resolve(answer());
      }, ms);
      const waiter: Waiter = {
        ready,
        wake: () => {
          clearTimeout(timer);
          resolve(answer());
        },
      };
      this.waiters.push(waiter);
    });
  }
}
