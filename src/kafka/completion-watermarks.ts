/**
 * Per partition, the records handed to the flow in offset order, and which of them the flow has
 * finished. The committable offset only moves past a record once it and every record before it
 * are finished, so a commit never skips an unfinished record.
 */
export class CompletionWatermarks {
  private readonly partitions = new Map<number, { inOrder: string[]; finished: Set<string> }>();

  started(partition: number, offset: string): void {
    let state = this.partitions.get(partition);
    if (!state) this.partitions.set(partition, (state = { inOrder: [], finished: new Set() }));
    state.inOrder.push(offset);
  }

  /** Marks a record finished; returns the offset to commit when the watermark moved, else undefined. */
  finished(partition: number, offset: string): string | undefined {
    const state = this.partitions.get(partition);
    if (!state) return undefined;
    state.finished.add(offset);
    let committed: string | undefined;
    while (state.inOrder.length > 0 && state.finished.has(state.inOrder[0]!)) {
      committed = state.inOrder.shift()!;
      state.finished.delete(committed);
    }
    return committed === undefined ? undefined : (BigInt(committed) + 1n).toString();
  }

  /** Records of the partition handed to the flow and not yet committed past (0 once all are finished). */
  unfinished(partition: number): number {
    return this.partitions.get(partition)?.inOrder.length ?? 0;
  }

  /** Forgets the partition after a seek moved it: what comes next starts a new order. */
  forget(partition: number): void {
    this.partitions.delete(partition);
  }

  /** Forgets partitions this member no longer owns: their records will be delivered again elsewhere. */
  keepOnly(partitions: number[]): void {
    for (const partition of this.partitions.keys()) {
      if (!partitions.includes(partition)) this.partitions.delete(partition);
    }
  }
}
