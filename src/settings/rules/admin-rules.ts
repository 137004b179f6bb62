// The kafka-admin settings: flow JSON name, default and check. Its broker is a node reference (no rule).
import { flag, type SettingRule } from './common';

/** Every problem a kafka-admin setting can have; the message is `kafka-admin.errors.<key>`. */
export const ADMIN_PROBLEM_KEYS = ['invalid-allow-delete'] as const;
export type AdminProblemKey = (typeof ADMIN_PROBLEM_KEYS)[number];

export const ADMIN_RULES = {
  /** Off: a flow cannot delete a topic by a msg it did not mean to send. */
  allow_delete: flag<AdminProblemKey>('allow_delete', 'invalid-allow-delete'),
} satisfies Record<string, SettingRule<unknown, AdminProblemKey>>;
