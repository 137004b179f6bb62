import { isAssigned, type MemberAssignment } from '../consumer/assignment';

/** Finished records at the head are dropped from the arrays in steps of at least this many. */
const COMPACT_AT = 1024;

/**
 * One partition's records handed to the flow, in offset order, and which of them the flow has
 * finished. Each record gets a ticket when it starts; the watermark only moves past a record once
 * it and every record before it are finished, so a commit never skips an unfinished record.
 */
export class PartitionProgress {
  /** The offsets from `head` on are unfinished or wait behind an unfinished one. */
  private offsets: string[] = [];
  private done: boolean[] = [];
  private head = 0;
  /** The ticket of offsets[0]. */
  private base = 0;
  /** Set once a seek or a revocation made this order void: its records commit nothing any more. */
  private forgotten = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** Records started and not yet passed by the watermark. */
  get unfinished(): number {
    return this.offsets.length - this.head;
  }

  /** Notes a record handed to the flow (in offset order); returns its ticket for finished(). */
  started(offset: string): number {
    this.offsets.push(offset);
    this.done.push(false);
    return this.base + this.offsets.length - 1;
  }

  /**
   * Marks the record of `ticket` finished; returns the last offset the watermark passed when it
   * moved (commit the one after it), else undefined.
   */
  finished(ticket: number): string | undefined {
    if (this.forgotten) return undefined;
    const index = ticket - this.base;
    this.done[index] = true;
    if (index !== this.head) return undefined;
    let head = this.head;
    while (head < this.offsets.length && this.done[head]) head += 1;
    const passed = this.offsets[head - 1];
    this.head = head;
    this.compact();
    return passed;
  }

  get isForgotten(): boolean {
    return this.forgotten;
  }

  forget(): void {
    this.forgotten = true;
  }

  /**
   * Not each time the watermark catches up with the last record started: with few records in
   * flight it does so every few records, and fresh arrays each time cost an allocation per record.
   */
  private compact(): void {
    if (this.head < COMPACT_AT) return;
    this.base += this.head;
    if (this.head === this.offsets.length) {
      this.offsets = [];
      this.done = [];
    } else {
      this.offsets.splice(0, this.head);
      this.done.splice(0, this.head);
    }
    this.head = 0;
  }
}

/** The offset to commit after `offset`, the last one finished (offsets go beyond 2^53). */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

/** The PartitionProgress of each partition a delivery hands records of to the flow. */
export class CompletionWatermarks {
  /** Keyed by `<topic>:<partition>` (a topic name never holds a colon). */
  private readonly partitions = new Map<string, PartitionProgress>();

  /** The partition's current order, started on first use. */
  of(topic: string, partition: number): PartitionProgress {
    const key = `${topic}:${partition}`;
    let progress = this.partitions.get(key);
    if (!progress) this.partitions.set(key, (progress = new PartitionProgress(topic, partition)));
    return progress;
  }

  /** Records of the partition handed to the flow and not yet committed past (0 once all are finished). */
  unfinished(topic: string, partition: number): number {
    return this.partitions.get(`${topic}:${partition}`)?.unfinished ?? 0;
  }

  /** Forgets the partition after a seek moved it: what comes next starts a new order. */
  forget(topic: string, partition: number): void {
    const key = `${topic}:${partition}`;
    this.partitions.get(key)?.forget();
    this.partitions.delete(key);
  }

  /** Forgets partitions this member no longer owns: their records will be delivered again elsewhere. */
  keepOnly(assignment: MemberAssignment): void {
    for (const [key, progress] of this.partitions) {
      if (isAssigned(assignment, progress.topic, progress.partition)) continue;
      progress.forget();
      this.partitions.delete(key);
    }
  }
}
