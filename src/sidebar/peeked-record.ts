// A record as the sidebar's peek answers it: shared by the runtime route and the editor's view, so it
// imports nothing.

export interface PeekedRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  headers: Record<string, unknown>;
  value: unknown;
  /** Why the value did not decode in the chosen format. */
  error?: string;
}
