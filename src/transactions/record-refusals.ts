import { refusedForGood } from './transaction-errors';

/** Refusals of one record's own request before it counts as refused for good, whatever the reason. */
const REFUSALS_BEFORE_GIVING_UP = 3;

/**
 * Records of a partition whose own write (a request of that record alone) was refused. A record
 * refused for what it is (too large, say), or refused again and again (a topic that does not exist),
 * fails on its next delivery instead of going through the flow, so that one record cannot make its
 * partition abort for ever.
 */
export class RecordRefusals {
  private readonly refused = new Map<string, unknown>();
  private readonly refusals = new Map<string, number>();

  /** A request of the record(s) of `offsets` alone was refused with `error`. */
  refusedAlone(offsets: readonly string[], error: unknown): void {
    for (const offset of offsets) {
      const count = (this.refusals.get(offset) ?? 0) + 1;
      if (refusedForGood(error) || count >= REFUSALS_BEFORE_GIVING_UP) {
        this.refused.set(offset, error);
        this.refusals.delete(offset);
      } else this.refusals.set(offset, count);
    }
  }

  /** Why the record was refused for good, if it was; asked once, on its next delivery. */
  take(offset: string): unknown {
    const refusal = this.refused.get(offset);
    this.refused.delete(offset);
    return refusal;
  }

  /** A commit went past the records refused now and then: their count starts again. */
  committed(): void {
    this.refusals.clear();
  }
}
