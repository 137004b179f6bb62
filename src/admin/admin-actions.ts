// The kafka-admin node's actions: each checks its input from the msg first, then runs one bounded
// operation of this folder. The editor's sidebar calls the operations directly.
import type { Admin } from 'kafkajs';
import { OperationProblem } from './operation-problem';
import {
  createTopicRequestOf,
  groupOf,
  offsetResetRequestOf,
  topicOf,
  topicOffsetsRequestOf,
} from './admin-input';
import { DEFAULT_ADMIN_LIMITS, beforeDeadline, type AdminLimits } from './broker-calls';
import { describeGroup, listGroups } from './groups';
import { RESET_TIMEOUT_MS, resetOffsets } from './offset-reset';
import { topicOffsets } from './topic-offsets';
import { createTopic, deleteTopic, describeTopic, listTopics, remaining } from './topics';

export const ADMIN_ACTIONS = [
  'list-topics',
  'describe-topic',
  'create-topic',
  'delete-topic',
  'topic-offsets',
  'list-groups',
  'describe-group',
  'reset-offsets',
] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

/** What an action reads from a msg. */
export interface AdminActionInput {
  action: unknown;
  payload: unknown;
  topic: unknown;
}

export interface AdminActionOptions {
  /** Whether delete-topic may run (the node's allow_delete setting). */
  allowDelete: boolean;
  limits?: AdminLimits;
}

/** An action whose input has been checked: it runs on a connected admin client within `limits`. */
export type PreparedAction = (admin: Admin, limits: AdminLimits) => Promise<unknown>;

/** The limits of an action: the defaults, but a reset's longer time (see RESET_TIMEOUT_MS). */
export function limitsOf(action: unknown): AdminLimits {
  return action === 'reset-offsets'
    ? { ...DEFAULT_ADMIN_LIMITS, timeoutMs: RESET_TIMEOUT_MS }
    : DEFAULT_ADMIN_LIMITS;
}

export function isAdminAction(value: unknown): value is AdminAction {
  return (ADMIN_ACTIONS as readonly unknown[]).includes(value);
}

/** The action, its input checked; throws an OperationProblem for an unknown action or bad input. */
export function prepareAdminAction(input: AdminActionInput, options: AdminActionOptions): PreparedAction {
  const { action, payload, topic } = input;
  switch (action) {
    case 'list-topics':
      return (admin, limits) => listTopics(admin, limits);
    case 'describe-topic': {
      const name = topicOf(payload, topic);
      return (admin, limits) => describeTopic(admin, name, limits);
    }
    case 'create-topic': {
      const request = createTopicRequestOf(payload, topic);
      return (admin, limits) => createTopic(admin, request, limits);
    }
    case 'delete-topic': {
      const name = topicOf(payload, topic);
      if (!options.allowDelete) throw new OperationProblem('delete-not-allowed', { topic: name });
      return (admin, limits) => deleteTopic(admin, name, limits);
    }
    case 'topic-offsets': {
      const request = topicOffsetsRequestOf(payload, topic);
      return (admin, limits) => topicOffsets(admin, request, limits);
    }
    case 'list-groups':
      return (admin, limits) => listGroups(admin, limits);
    case 'describe-group': {
      const group = groupOf(payload);
      return (admin, limits) => describeGroup(admin, group, limits);
    }
    case 'reset-offsets': {
      const request = offsetResetRequestOf(payload, topic);
      return (admin, limits) => resetOffsets(admin, request, limits);
    }
    default:
      throw new OperationProblem('unknown-action', {
        action: typeof action === 'string' ? action : String(action),
        actions: ADMIN_ACTIONS.join(', '),
      });
  }
}

/**
 * Runs a prepared action on the admin client `connect` hands over (the broker node's pooled one),
 * connecting included in the action's time.
 */
export async function runPreparedAction(
  prepared: PreparedAction,
  connect: () => Promise<Admin>,
  limits: AdminLimits = DEFAULT_ADMIN_LIMITS,
): Promise<unknown> {
  const started = Date.now();
  const admin = await beforeDeadline(connect(), started + limits.timeoutMs, 'connect', limits.timeoutMs);
  return prepared(admin, { ...limits, timeoutMs: remaining(started, limits) });
}
