// The connected badge of a trigger on hand-off carries a mark (`connected-handoff`, `connected-lag-handoff`):
// tests of the connection state compare the state alone, the delivery-default test the mark.
const HANDOFF_MARK = /-handoff(?=\(|$)/;

/** A badge text without the hand-off mark. */
export function withoutHandoffMark<T extends string | undefined>(text: T): T {
  return (text === undefined ? text : text.replace(HANDOFF_MARK, '')) as T;
}
