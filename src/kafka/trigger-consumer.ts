import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { DEFAULT_BACKOFF, retryDelay, type BackoffPolicy } from './backoff';
import { classifyFailure, type FailureKind } from './failure';
import { ProcessingClock, toTriggerData, type TriggerData } from './trigger-data';
import type { TriggerSettings } from './trigger-settings';

export type ConsumerState =
  | { kind: 'connecting' }
  | { kind: 'connected'; partitions: number }
  | { kind: 'rebalancing' }
  | { kind: 'retrying'; failure: FailureKind; error: unknown; attempt: number; delayMs: number }
  | { kind: 'disconnected' };

export interface TriggerConsumerHooks {
  /** Hands one record to the flow; called in offset order within a partition. */
  deliver(data: TriggerData, record: KafkaMessage): void;
  onState(state: ConsumerState): void;
}

export interface TriggerConsumerOptions {
  kafka: Kafka;
  settings: TriggerSettings;
  hooks: TriggerConsumerHooks;
  backoff?: BackoffPolicy;
}

/**
 * One consumer-group member for one trigger: connects, subscribes and consumes, and after any
 * failure throws the kafkajs consumer away and starts a fresh one after a capped, jittered
 * backoff, for ever, until close(). kafkajs's own restart is switched off so that a closed
 * trigger can never be revived by it.
 */
export class TriggerConsumer {
  private readonly kafka: Kafka;
  private readonly settings: TriggerSettings;
  private readonly hooks: TriggerConsumerHooks;
  private readonly backoff: BackoffPolicy;
  private readonly clock = new ProcessingClock();
  private current: Consumer | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;
  private closing = false;

  constructor(options: TriggerConsumerOptions) {
    this.kafka = options.kafka;
    this.settings = options.settings;
    this.hooks = options.hooks;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  start(): void {
    void this.attempt();
  }

  /** Stops consuming, commits what was handed to the flow and leaves the group. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retryTimer);
    const consumer = this.current;
    this.current = undefined;
    if (consumer) await consumer.disconnect();
    this.hooks.onState({ kind: 'disconnected' });
  }

  private async attempt(): Promise<void> {
    if (this.closing) return;
    // While retrying, the badge keeps showing why the last attempt failed.
    if (this.failedAttempts === 0) this.hooks.onState({ kind: 'connecting' });
    const { groupId, sessionTimeout, heartbeatInterval, topic, startFrom } = this.settings;
    const consumer = this.kafka.consumer({
      groupId,
      sessionTimeout,
      heartbeatInterval,
      allowAutoTopicCreation: false,
      retry: { restartOnFailure: async () => false },
    });
    this.current = consumer;
    this.watch(consumer);
    try {
      await consumer.connect();
      this.ensureStillWanted(consumer);
      await consumer.subscribe({ topics: [topic], fromBeginning: startFrom === 'earliest' });
      this.ensureStillWanted(consumer);
      await consumer.run({ autoCommit: true, eachBatchAutoResolve: false, eachBatch: this.eachBatch });
    } catch (error) {
      await this.recover(consumer, error);
    }
  }

  private watch(consumer: Consumer): void {
    const { GROUP_JOIN, REBALANCING, CRASH } = consumer.events;
    consumer.on(GROUP_JOIN, ({ payload }) => {
      this.failedAttempts = 0;
      const partitions = Object.values(payload.memberAssignment).reduce((sum, list) => sum + list.length, 0);
      this.hooks.onState({ kind: 'connected', partitions });
    });
    consumer.on(REBALANCING, () => this.hooks.onState({ kind: 'rebalancing' }));
    consumer.on(CRASH, ({ payload }) => void this.recover(consumer, payload.error));
  }

  /** A close() that ran while connect() or subscribe() was pending must not be undone by them. */
  private ensureStillWanted(consumer: Consumer): void {
    if (this.closing || this.current !== consumer) throw new Error('trigger closed while connecting');
  }

  private async recover(consumer: Consumer, error: unknown): Promise<void> {
    const wasCurrent = this.current === consumer;
    if (wasCurrent) this.current = undefined;
    await consumer.disconnect().catch(() => undefined);
    if (!wasCurrent || this.closing) return;
    this.failedAttempts += 1;
    const delayMs = retryDelay(this.failedAttempts, this.backoff);
    this.hooks.onState({
      kind: 'retrying',
      failure: classifyFailure(error),
      error,
      attempt: this.failedAttempts,
      delayMs,
    });
    this.retryTimer = setTimeout(() => void this.attempt(), delayMs);
  }

  private readonly eachBatch = async ({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload) => {
    const { topic, partition, messages } = batch;
    let delivered: string | undefined;
    try {
      for (const record of messages) {
        if (!isRunning() || isStale()) break;
        this.hooks.deliver(toTriggerData(topic, partition, record, this.clock.now()), record);
        delivered = record.offset;
      }
    } finally {
      // Resolving once per batch is enough: kafkajs commits the highest resolved offset.
      if (delivered !== undefined) resolveOffset(delivered);
    }
    await heartbeat();
  };
}
