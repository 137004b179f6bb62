// kafkajs 2.2.4 leaves the records of aborted transactions out of what a read_committed consumer
// gets by walking the broker's list of aborted transactions as if it were ordered by first offset.
// The broker lists them in the order they were aborted, so a transaction that began before another
// and was aborted after it is missed, and its records reach the flow. This puts a filter that orders
// the list first where kafkajs loads its own from; it must run before kafkajs is loaded.
import Module from 'node:module';

interface FetchedRecord {
  offset: string;
  key: Buffer | null;
  batchContext: { producerId: string; inTransaction: boolean };
}

interface AbortedTransaction {
  producerId: string;
  firstOffset: string;
}

/** A control record's key: version 0, type 0 (abort). */
const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]);

/** The records of a fetched partition that no aborted transaction wrote (control records stay). */
export function withoutAbortedRecords({
  messages,
  abortedTransactions,
}: {
  messages: FetchedRecord[];
  abortedTransactions?: AbortedTransaction[];
}): FetchedRecord[] {
  if (!abortedTransactions?.length) return messages;
  const starts = [...abortedTransactions].sort((a, b) => compareOffsets(a.firstOffset, b.firstOffset));
  const aborting = new Set<string>();
  let next = 0;
  return messages.filter((record) => {
    while (next < starts.length && compareOffsets(record.offset, starts[next].firstOffset) >= 0)
      aborting.add(String(starts[next++].producerId));
    const producerId = String(record.batchContext.producerId);
    if (record.key && Buffer.from(record.key).equals(ABORT_MARKER_KEY)) {
      aborting.delete(producerId);
      return true;
    }
    return !(record.batchContext.inTransaction && aborting.has(producerId));
  });
}

function compareOffsets(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

/**
 * Makes kafkajs load withoutAbortedRecords as its filter. Returns false when kafkajs was loaded
 * before (by another package sharing this copy), too late to change what it uses.
 */
export function fixAbortedRecordFilter(): boolean {
  const path = require.resolve('kafkajs/src/consumer/filterAbortedMessages');
  const cached = require.cache[path];
  if (cached) return cached.exports === withoutAbortedRecords;
  const filter = new Module(path);
  filter.filename = path;
  filter.loaded = true;
  filter.exports = withoutAbortedRecords;
  require.cache[path] = filter;
  return true;
}
