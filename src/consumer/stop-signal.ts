/**
 * Set once a delivery stops. Waits are raced against it, so that a closing trigger is never held up
 * by a wait that only the end of the deploy (which waits for the trigger) would end.
 *
 * A race does not subscribe to one long-lived promise: each reaction on a promise that is still
 * pending stays until it settles, and a delivery races once per record for as long as it runs
 * (about 300 bytes each, 300 MB after a million records). A race registers a wake-up that its
 * own wait removes when it settles.
 */
export class StopSignal {
  stopped = false;
  private readonly wakeUps = new Set<() => void>();

  stop(): void {
    this.stopped = true;
    for (const wake of this.wakeUps) wake();
    this.wakeUps.clear();
  }

  /** Races still waiting: each is one wait that has not settled yet. */
  get pending(): number {
    return this.wakeUps.size;
  }

  /** What `wait` resolves with, or false as soon as stop() is called. */
  race(wait: Promise<boolean>): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise<boolean>((resolve, reject) => {
      const wake = (): void => resolve(false);
      this.wakeUps.add(wake);
      wait.then(
        (value) => {
          this.wakeUps.delete(wake);
          resolve(value);
        },
        // Handed on as it came, as Promise.race would.
        (error: Error) => {
          this.wakeUps.delete(wake);
          reject(error);
        },
      );
    });
  }
}
