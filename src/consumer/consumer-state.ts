import type { PooledClients } from '../client/connection-pool';
import type { BackoffPolicy } from '../client/backoff';
import type { FailureKind } from '../client/failure';
import type { DeliveryHooks } from '../delivery/delivery';
import type { SchemaRegistryClient } from '../formats/schema-registry';
import type { TriggerSettings } from '../settings/trigger-settings';
import type { TransactionCounts } from './consumer-metrics';

export type ConsumerState =
  | { kind: 'connecting' }
  /**
   * `topics`: how many topics are subscribed, given when the topic setting is a list or `/regex/`;
   * `transactions`: exactly-once delivery's transactions so far.
   */
  | { kind: 'connected'; partitions: number; lag: number; topics?: number; transactions?: TransactionCounts }
  | { kind: 'rebalancing' }
  | { kind: 'retrying'; failure: FailureKind; error: unknown; attempt: number; delayMs: number }
  | { kind: 'registry-unavailable'; error: unknown; attempt: number; delayMs: number }
  /** A `/regex/` topic matches no topic yet; checked again after `delayMs`. */
  | { kind: 'no-matching-topics'; pattern: string; attempt: number; delayMs: number }
  // Control messages: paused (still in the group) and stopped (left it).
  | { kind: 'paused' }
  | { kind: 'stopped' };

/** What control messages have left the trigger doing; the metrics output's `state`. */
export type ControlState = 'consuming' | 'paused' | 'stopped';

export interface TriggerConsumerHooks extends DeliveryHooks {
  onState(state: ConsumerState): void;
}

export interface TriggerConsumerOptions {
  /** The broker node's pool: the kafkajs client for this trigger's consumer, the shared admin and producer. */
  clients: PooledClients;
  settings: TriggerSettings;
  hooks: TriggerConsumerHooks;
  /** The broker node's Schema Registry, for the schema-registry formats. */
  registry?: SchemaRegistryClient;
  backoff?: BackoffPolicy;
  /** How long a stop control message waits for records still in the flow; default 6000 ms. */
  drainMs?: number;
}
