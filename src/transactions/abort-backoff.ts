import type { TransactionEnd } from './partition-transaction';

/** The wait after the second abort in a row, doubled after each further one up to the maximum. */
const ABORT_BACKOFF_MS = 200;
const MAX_ABORT_BACKOFF_MS = 5000;

/**
 * Aborts in a row (a dead-letter topic that refuses, say) wait before the partition's records go to
 * the flow again, longer each time, so that a record that keeps failing does not spin. A close cuts
 * every wait short.
 */
export class AbortBackoff<Partition extends object> {
  private readonly aborts = new WeakMap<Partition, number>();
  private readonly wakers = new Set<() => void>();
  private closed = false;

  /** Counts how the partition's transaction ended; after the second abort in a row, waits. */
  async after(partition: Partition, end: TransactionEnd): Promise<void> {
    const streak = end === 'aborted' ? (this.aborts.get(partition) ?? 0) + 1 : 0;
    this.aborts.set(partition, streak);
    if (streak < 2 || this.closed) return;
    const delayMs = Math.min(ABORT_BACKOFF_MS * 2 ** (streak - 2), MAX_ABORT_BACKOFF_MS);
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, delayMs);
      this.wakers.add(done);
    });
  }

  close(): void {
    this.closed = true;
    for (const wake of this.wakers) wake();
  }
}
