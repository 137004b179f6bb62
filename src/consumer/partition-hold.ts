/**
 * Partitions whose records must not go to the flow for now: all of them while the trigger is
 * paused, some while a seek or a start at a timestamp moves them. A delivery hands over nothing of
 * a held partition and leaves its records unresolved, so that they are fetched again once released.
 * Each hold also starts a new epoch of the partition: a batch fetched before it commits nothing.
 */
export class PartitionHold {
  private everything = false;
  private readonly held = new Map<string, number>();
  private readonly epochs = new Map<string, number>();

  /** Holds (or releases) every partition: a pause. */
  holdAll(on: boolean): void {
    this.everything = on;
  }

  hold(topic: string, partition: number): void {
    const key = `${topic}:${partition}`;
    this.held.set(key, (this.held.get(key) ?? 0) + 1);
    this.epochs.set(key, this.epoch(topic, partition) + 1);
  }

  release(topic: string, partition: number): void {
    const key = `${topic}:${partition}`;
    const count = (this.held.get(key) ?? 0) - 1;
    if (count > 0) this.held.set(key, count);
    else this.held.delete(key);
  }

  isHeld(topic: string, partition: number): boolean {
    return this.everything || this.held.has(`${topic}:${partition}`);
  }

  get allHeld(): boolean {
    return this.everything;
  }

  epoch(topic: string, partition: number): number {
    return this.epochs.get(`${topic}:${partition}`) ?? 0;
  }
}
