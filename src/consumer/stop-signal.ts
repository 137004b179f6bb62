/**
 * Set once a delivery stops. Waits are raced against it, so that a closing trigger is never held up
 * by a wait that only the end of the deploy (which waits for the trigger) would end.
 */
export class StopSignal {
  stopped = false;
  private fire: () => void = () => undefined;
  private readonly fired = new Promise<false>((resolve) => (this.fire = () => resolve(false)));

  stop(): void {
    this.stopped = true;
    this.fire();
  }

  /** What `wait` resolves with, or false as soon as stop() is called. */
  race(wait: Promise<boolean>): Promise<boolean> {
    return this.stopped ? Promise.resolve(false) : Promise.race([wait, this.fired]);
  }
}
