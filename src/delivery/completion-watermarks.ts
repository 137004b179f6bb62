import { isAssigned, type MemberAssignment } from '../consumer/assignment';

interface PartitionState {
  topic: string;
  partition: number;
  inOrder: string[];
  finished: Set<string>;
}

/**
 * Per topic partition, the records handed to the flow in offset order, and which of them the flow
 * has finished. The committable offset only moves past a record once it and every record before it
 * are finished, so a commit never skips an unfinished record.
 */
export class CompletionWatermarks {
  /** Keyed by `<topic>:<partition>` (a topic name never holds a colon). */
  private readonly partitions = new Map<string, PartitionState>();

  started(topic: string, partition: number, offset: string): void {
    const key = `${topic}:${partition}`;
    let state = this.partitions.get(key);
    if (!state) this.partitions.set(key, (state = { topic, partition, inOrder: [], finished: new Set() }));
    state.inOrder.push(offset);
  }

  /** Marks a record finished; returns the offset to commit when the watermark moved, else undefined. */
  finished(topic: string, partition: number, offset: string): string | undefined {
    const state = this.partitions.get(`${topic}:${partition}`);
    if (!state) return undefined;
    state.finished.add(offset);
    let committed: string | undefined;
    while (state.inOrder.length > 0 && state.finished.has(state.inOrder[0])) {
      committed = state.inOrder.shift()!;
      state.finished.delete(committed);
    }
    return committed === undefined ? undefined : (BigInt(committed) + 1n).toString();
  }

  /** Records of the partition handed to the flow and not yet committed past (0 once all are finished). */
  unfinished(topic: string, partition: number): number {
    return this.partitions.get(`${topic}:${partition}`)?.inOrder.length ?? 0;
  }

  /** Forgets the partition after a seek moved it: what comes next starts a new order. */
  forget(topic: string, partition: number): void {
    this.partitions.delete(`${topic}:${partition}`);
  }

  /** Forgets partitions this member no longer owns: their records will be delivered again elsewhere. */
  keepOnly(assignment: MemberAssignment): void {
    for (const [key, state] of this.partitions) {
      if (!isAssigned(assignment, state.topic, state.partition)) this.partitions.delete(key);
    }
  }
}
