import type { NodeStatus } from 'node-red';
import type { FailureKind } from '../client/failure';
import type { ConsumerState } from '../consumer/trigger-consumer';
import type { TransactionCounts } from '../consumer/consumer-metrics';
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
      if (state.transactions)
        return withTransactions(connectedStatus(state, translate, ''), state.transactions, translate);
      return connectedStatus(state, translate, delivery === 'handoff' ? '-handoff' : '');
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

type Connected = Extract<ConsumerState, { kind: 'connected' }>;

/** The green badge of a connected trigger; `mode` picks the hand-off variant of its text. */
function connectedStatus(state: Connected, translate: Translate, mode: string): NodeStatus {
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

/** Exactly-once delivery: the badge counts its transactions (translated here, as with the lag). */
function withTransactions(
  status: NodeStatus,
  transactions: TransactionCounts,
  translate: Translate,
): NodeStatus {
  const base = String(status.text);
  const connected = base.startsWith(STATUS) ? translate(base, {}) : base;
  const counts = translate(STATUS + 'transactions', { ...transactions });
  return { ...status, text: `${connected} · ${counts}` };
}

/** A red badge for a trigger that will not start until its settings are fixed. */
export function problemStatus(shortKey: string): NodeStatus {
  return { fill: 'red', shape: 'ring', text: STATUS + shortKey };
}
