// Lag arithmetic: how many records a group has yet to finish on a partition, from the broker's numbers.

/** Kafka's answer for a partition on which the group has committed nothing. */
const NO_COMMIT = -1;

/**
 * The records between the group's committed offset (the next it will read) and the partition's end;
 * null when the group has committed nothing there or the end is unknown, since where such a group
 * starts depends on its consumers' settings. Never below 0: a commit past the end (a reset beyond
 * it) has nothing left to read.
 */
export function partitionLag(committed: number | null, end: number | null): number | null {
  if (committed === null || committed === NO_COMMIT || end === null) return null;
  return Math.max(0, end - committed);
}

/** The sum of the known lags. */
export function totalLag(lags: readonly (number | null)[]): number {
  return lags.reduce<number>((sum, lag) => sum + (lag ?? 0), 0);
}

/** A committed offset as the results show it: null for none. */
export function committedOffset(offset: string | number): number | null {
  const value = Number(offset);
  return Number.isFinite(value) && value !== NO_COMMIT ? value : null;
}
