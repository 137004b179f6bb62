/** kafka-trigger properties as they stand in flow JSON (numbers may be numeric strings). */
export interface TriggerConfig {
  topic?: string;
  consumer_group?: string;
  start_from?: string;
  session_timeout?: number | string;
  heartbeat_interval?: number | string;
}

export type StartFrom = 'newest' | 'earliest';

export interface TriggerSettings {
  topic: string;
  groupId: string;
  startFrom: StartFrom;
  sessionTimeout: number;
  heartbeatInterval: number;
}

/** A problem with the settings: an i18n key under `kafka-trigger.errors` and its parameters. */
export interface SettingsProblem {
  key: string;
  params: Record<string, string | number>;
}

export type SettingsResult = { settings: TriggerSettings } | { problem: SettingsProblem };

export const DEFAULT_SESSION_TIMEOUT = 10000;
export const DEFAULT_HEARTBEAT_INTERVAL = 3000;
export const GROUP_ID_PREFIX = 'operion-triggers-';

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function isValidTopicName(topic: string): boolean {
  return TOPIC_NAME.test(topic) && topic !== '.' && topic !== '..';
}

export function defaultGroupId(nodeId: string): string {
  return GROUP_ID_PREFIX + nodeId;
}

/** Checks and normalises a trigger's settings, applying the contract's defaults. */
export function resolveTriggerSettings(config: TriggerConfig, nodeId: string): SettingsResult {
  const topic = (config.topic ?? '').trim();
  if (!topic) return problem('missing-topic');
  if (!isValidTopicName(topic)) return problem('invalid-topic', { topic });

  const startFrom = config.start_from || 'newest';
  if (startFrom !== 'newest' && startFrom !== 'earliest') {
    return problem('invalid-start-from', { value: String(startFrom) });
  }

  const sessionTimeout = milliseconds(config.session_timeout, DEFAULT_SESSION_TIMEOUT);
  if (sessionTimeout === undefined) {
    return problem('invalid-number', { setting: 'session_timeout', value: String(config.session_timeout) });
  }
  const heartbeatInterval = milliseconds(config.heartbeat_interval, DEFAULT_HEARTBEAT_INTERVAL);
  if (heartbeatInterval === undefined) {
    return problem('invalid-number', {
      setting: 'heartbeat_interval',
      value: String(config.heartbeat_interval),
    });
  }
  if (heartbeatInterval >= sessionTimeout) {
    return problem('heartbeat-not-below-session', { heartbeat: heartbeatInterval, session: sessionTimeout });
  }

  const groupId = (config.consumer_group ?? '').trim() || defaultGroupId(nodeId);
  return { settings: { topic, groupId, startFrom, sessionTimeout, heartbeatInterval } };
}

/** A positive whole number of milliseconds; blank means the default, anything else undefined. */
function milliseconds(value: number | string | undefined, fallback: number): number | undefined {
  if (value === undefined || value === null || value === '') return fallback;
  const parsed = typeof value === 'number' ? value : Number(value.trim());
  return Number.isInteger(parsed) && parsed > 0 ? parsed : undefined;
}

function problem(key: string, params: Record<string, string | number> = {}): { problem: SettingsProblem } {
  return { problem: { key, params } };
}
