// Why an admin operation was refused or failed, as a message key and its parameters: the kafka-admin
import { rootMessage } from '../client/failure';
// node and the editor's sidebar translate it in the user's language (`kafka-admin.errors.<key>`).

/** Every problem an admin operation can report; the message is `kafka-admin.errors.<key>`. */
export const OPERATION_PROBLEM_KEYS = [
  'unknown-action',
  'invalid-topic',
  'invalid-group',
  'invalid-partitions',
  'invalid-replication-factor',
  'invalid-config',
  'invalid-at',
  'invalid-to',
  'topic-missing',
  'topic-exists',
  'partition-missing',
  'offset-out-of-range',
  'delete-not-allowed',
  'group-active',
  'timed-out',
] as const;
export type OperationProblemKey = (typeof OPERATION_PROBLEM_KEYS)[number];

/** An operation refused before or by the broker, for a reason the user can act on. */
export class OperationProblem extends Error {
  constructor(
    readonly key: OperationProblemKey,
    readonly params: Record<string, string | number> = {},
  ) {
    super(`${key} ${JSON.stringify(params)}`);
    this.name = 'OperationProblem';
  }
}

/** A failed operation for its user: the problem to translate, or the broker's own words. */
export type OperationFailure =
  { problem: { key: OperationProblemKey; params: Record<string, string | number> } } | { error: string };

export function operationFailure(error: unknown): OperationFailure {
  return error instanceof OperationProblem
    ? { problem: { key: error.key, params: error.params } }
    : { error: rootMessage(error) };
}
