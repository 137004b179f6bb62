// The connected badge of a trigger on hand-off carries a mark (`connected-handoff`, `connected-lag-handoff`),
// and one on exactly-once its transactions (`connected · 3 transactions, 0 aborted`): tests of the
// connection state compare the state alone, the delivery tests the mark and the counts.
const HANDOFF_MARK = /-handoff(?=\(|$)/;
const TRANSACTIONS = / · .*$/;

/** A badge text without the hand-off mark or the transactions. */
export function withoutHandoffMark<T extends string | undefined>(text: T): T {
  return (text === undefined ? text : text.replace(HANDOFF_MARK, '').replace(TRANSACTIONS, '')) as T;
}
