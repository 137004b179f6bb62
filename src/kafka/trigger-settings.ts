/** kafka-trigger properties as they stand in flow JSON (numbers may be numeric strings). */
export interface TriggerConfig {
  topic?: string;
  consumer_group?: string;
  start_from?: string;
  session_timeout?: number | string;
  heartbeat_interval?: number | string;
  delivery?: string;
  max_in_flight?: number | string;
  dead_letter_topic?: string;
  complete_timeout?: number | string;
  metrics_interval?: number | string;
}

export type StartFrom = 'newest' | 'earliest';

/**
 * `handoff` commits a record once it is handed to the flow (the contract's default); `complete`
 * commits it only once the flow has finished with it, with at most `maxInFlight` unfinished.
 */
export type Delivery =
  | { mode: 'handoff' }
  | { mode: 'complete'; maxInFlight: number; completeTimeout: number; deadLetterTopic: string | undefined };

export interface TriggerSettings {
  topic: string;
  groupId: string;
  startFrom: StartFrom;
  sessionTimeout: number;
  heartbeatInterval: number;
  delivery: Delivery;
  /** Seconds between metrics messages on the second output; 0 means no metrics output. */
  metricsInterval: number;
}

/** A problem with the settings: an i18n key under `kafka-trigger.errors` and its parameters. */
export interface SettingsProblem {
  key: string;
  params: Record<string, string | number>;
}

export type SettingsResult = { settings: TriggerSettings } | { problem: SettingsProblem };

export const DEFAULT_SESSION_TIMEOUT = 10000;
export const DEFAULT_HEARTBEAT_INTERVAL = 3000;
export const DEFAULT_MAX_IN_FLIGHT = 100;
export const DEFAULT_COMPLETE_TIMEOUT = 60000;
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

  const sessionTimeout = positiveInteger(config.session_timeout, DEFAULT_SESSION_TIMEOUT);
  if (sessionTimeout === undefined) {
    return problem('invalid-number', { setting: 'session_timeout', value: String(config.session_timeout) });
  }
  const heartbeatInterval = positiveInteger(config.heartbeat_interval, DEFAULT_HEARTBEAT_INTERVAL);
  if (heartbeatInterval === undefined) {
    return problem('invalid-number', {
      setting: 'heartbeat_interval',
      value: String(config.heartbeat_interval),
    });
  }
  if (heartbeatInterval >= sessionTimeout) {
    return problem('heartbeat-not-below-session', { heartbeat: heartbeatInterval, session: sessionTimeout });
  }

  const delivery = resolveDelivery(config);
  if ('problem' in delivery) return delivery;

  const metricsText = String(config.metrics_interval ?? '').trim();
  const metricsInterval = metricsText === '' ? 0 : Number(metricsText);
  if (!Number.isInteger(metricsInterval) || metricsInterval < 0) {
    return problem('invalid-count', { setting: 'metrics_interval', value: metricsText });
  }

  const groupId = (config.consumer_group ?? '').trim() || defaultGroupId(nodeId);
  return {
    settings: {
      topic,
      groupId,
      startFrom,
      sessionTimeout,
      heartbeatInterval,
      delivery: delivery.delivery,
      metricsInterval,
    },
  };
}

function resolveDelivery(config: TriggerConfig): { delivery: Delivery } | { problem: SettingsProblem } {
  const mode = config.delivery || 'handoff';
  if (mode === 'handoff') return { delivery: { mode } };
  if (mode !== 'complete') return problem('invalid-delivery', { value: String(mode) });
  const maxInFlight = positiveInteger(config.max_in_flight, DEFAULT_MAX_IN_FLIGHT);
  if (maxInFlight === undefined) {
    return problem('invalid-count', { setting: 'max_in_flight', value: String(config.max_in_flight) });
  }
  const completeTimeout = positiveInteger(config.complete_timeout, DEFAULT_COMPLETE_TIMEOUT);
  if (completeTimeout === undefined) {
    return problem('invalid-number', { setting: 'complete_timeout', value: String(config.complete_timeout) });
  }
  const deadLetterTopic = (config.dead_letter_topic ?? '').trim() || undefined;
  if (deadLetterTopic && !isValidTopicName(deadLetterTopic)) {
    return problem('invalid-topic', { topic: deadLetterTopic });
  }
  return { delivery: { mode, maxInFlight, completeTimeout, deadLetterTopic } };
}

/** A positive whole number; blank means the default, anything else undefined. */
function positiveInteger(value: number | string | undefined, fallback: number): number | undefined {
  if (value === undefined || value === null || value === '') return fallback;
  const parsed = typeof value === 'number' ? value : Number(value.trim());
  return Number.isInteger(parsed) && parsed > 0 ? parsed : undefined;
}

function problem(key: string, params: Record<string, string | number> = {}): { problem: SettingsProblem } {
  return { problem: { key, params } };
}
