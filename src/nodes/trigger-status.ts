import type { NodeStatus } from 'node-red';
import type { FailureKind } from '../client/failure';
import type { ConsumerState } from '../consumer/trigger-consumer';
import type { TriggerSettings } from '../settings/trigger-settings';

const STATUS = 'kafka-trigger.status.';

type Translate = (key: string, params: Record<string, number>) => string;
type DeliveryMode = TriggerSettings['delivery']['mode'];

const RETRY_STATUS: Record<FailureKind, string> = {
  unreachable: 'disconnected',
  'connection-closed': 'disconnected',
  'topic-missing': 'topic-missing',
  'auth-failed': 'auth-failed',
  'tls-failed': 'tls-failed',
  failed: 'error',
};

/**
 * The badge for a consumer state. Texts are locale keys in the node's namespace, which the editor
 * translates (as Node-RED's core nodes do with their common status keys). A connected trigger on
 * hand-off says so: it is the mode that can lose a msg between later nodes, and no longer the default.
 */
export function statusFor(state: ConsumerState, translate: Translate, delivery: DeliveryMode): NodeStatus {
  switch (state.kind) {
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: STATUS + 'connecting' };
    case 'connected': {
      const mode = delivery === 'handoff' ? '-handoff' : '';
      // A list or /regex/ topic: how many topics are subscribed (translated here, as with the lag).
      if (state.topics !== undefined) {
        const { topics, lag } = state;
        const text =
          lag > 0
            ? translate(STATUS + 'connected-topics-lag' + mode, { topics, lag })
            : translate(STATUS + 'connected-topics' + mode, { topics });
        return { fill: 'green', shape: 'dot', text };
      }
      // The editor does not fill in parameters, so a text with the lag is translated here.
      if (state.lag > 0)
        return {
          fill: 'green',
          shape: 'dot',
          text: translate(STATUS + 'connected-lag' + mode, { lag: state.lag }),
        };
      return { fill: 'green', shape: 'dot', text: STATUS + 'connected' + mode };
    }
    case 'rebalancing':
      return { fill: 'yellow', shape: 'ring', text: STATUS + 'rebalancing' };
    case 'retrying':
      return { fill: 'red', shape: 'ring', text: STATUS + RETRY_STATUS[state.failure] };
    case 'registry-unavailable':
      return { fill: 'red', shape: 'ring', text: STATUS + 'registry-unavailable' };
    case 'no-matching-topics':
      return { fill: 'yellow', shape: 'ring', text: STATUS + 'no-matching-topics' };
    case 'paused':
      return { fill: 'yellow', shape: 'dot', text: STATUS + 'paused' };
    case 'stopped':
      return { fill: 'grey', shape: 'ring', text: STATUS + 'stopped' };
  }
}

/** A red badge for a trigger that will not start until its settings are fixed. */
export function problemStatus(shortKey: string): NodeStatus {
  return { fill: 'red', shape: 'ring', text: STATUS + shortKey };
}
