import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { DEFAULT_BACKOFF, retryDelay, type BackoffPolicy } from './backoff';
import type { BatchDelivery, DeliveryHooks } from './batch-delivery';
import { CompletionDelivery } from './completion-delivery';
import { deadLetterMessage } from './dead-letter';
import { ConsumerMetrics, type MetricsSnapshot } from './consumer-metrics';
import { classifyFailure, type FailureKind } from './failure';
import { HandoffDelivery } from './handoff-delivery';
import { InFlightLimit } from './in-flight-limit';
import { ProcessingClock } from './trigger-data';
import type { TriggerSettings } from './trigger-settings';

const FETCH_MAX_WAIT_MS = 1000;

export type ConsumerState =
  | { kind: 'connecting' }
  | { kind: 'connected'; partitions: number; lag: number }
  | { kind: 'rebalancing' }
  | { kind: 'retrying'; failure: FailureKind; error: unknown; attempt: number; delayMs: number }
  | { kind: 'disconnected' };

export interface TriggerConsumerHooks extends DeliveryHooks {
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
  private readonly inFlight: InFlightLimit | undefined;
  private readonly metrics: ConsumerMetrics;
  private assignedPartitions = 0;
  private lagReportedAt = 0;
  private current: { consumer: Consumer; delivery: BatchDelivery } | undefined;
  private deadLetterProducer: Promise<Producer> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private healthyTimer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;
  private closing = false;

  constructor(options: TriggerConsumerOptions) {
    this.kafka = options.kafka;
    this.settings = options.settings;
    this.hooks = options.hooks;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    const { delivery } = options.settings;
    this.inFlight = delivery.mode === 'complete' ? new InFlightLimit(delivery.maxInFlight) : undefined;
    this.metrics = new ConsumerMetrics(options.settings.topic, options.settings.groupId);
  }

  start(): void {
    void this.attempt();
  }

  /** The key metrics: lag per partition, records/s since the last call, errors, rebalances. */
  metricsSnapshot(): MetricsSnapshot {
    return this.metrics.snapshot(this.inFlight?.size ?? 0);
  }

  /**
   * Stops consuming; waits up to `drainMs` for records still in the flow, commits what is done
   * and leaves the group.
   */
  async close(drainMs: number): Promise<void> {
    this.closing = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.healthyTimer);
    const current = this.current;
    this.current = undefined;
    if (current) {
      await current.delivery.finish(drainMs);
      await current.consumer.disconnect();
    }
    const producer = this.deadLetterProducer;
    this.deadLetterProducer = undefined;
    if (producer) await (await producer).disconnect();
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
      // An idle fetch waits this long for records, and a closing consumer waits for that fetch:
      // kafkajs's 5 s made every redeploy of an idle trigger take 5 s (Java clients use 0.5 s).
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      retry: { restartOnFailure: async () => false },
    });
    const delivery = this.deliveryFor(consumer);
    this.current = { consumer, delivery };
    this.watch(consumer, delivery);
    try {
      await consumer.connect();
      this.ensureStillWanted(consumer);
      await consumer.subscribe({ topics: [topic], fromBeginning: startFrom === 'earliest' });
      this.ensureStillWanted(consumer);
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async (payload) => {
          this.metrics.batchHandled(payload.batch, await delivery.handleBatch(payload));
          this.failedAttempts = 0;
          this.reportLag();
        },
      });
    } catch (error) {
      await this.recover(consumer, error);
    }
  }

  private deliveryFor(consumer: Consumer): BatchDelivery {
    const { delivery, heartbeatInterval } = this.settings;
    if (delivery.mode === 'handoff' || !this.inFlight)
      return new HandoffDelivery(this.hooks, this.clock, consumer);
    return new CompletionDelivery({
      consumer,
      hooks: {
        ...this.hooks,
        onRecordFailed: (failure) => {
          this.metrics.failed();
          this.hooks.onRecordFailed(failure);
        },
      },
      clock: this.clock,
      limit: this.inFlight,
      heartbeatInterval,
      deadLetterTopic: delivery.deadLetterTopic,
      deadLetter: (topic, partition, record, error) => this.deadLetter(topic, partition, record, error),
    });
  }

  private watch(consumer: Consumer, delivery: BatchDelivery): void {
    const { GROUP_JOIN, FETCH, REBALANCING, CRASH } = consumer.events;
    // Connected means fetching: a new group's start position ("newest") is only fixed by the first
    // fetch after joining, and records produced before that are, by Kafka's rules, not "new".
    let awaitingFetch = false;
    const connected = () => {
      awaitingFetch = false;
      this.hooks.onState({
        kind: 'connected',
        partitions: this.assignedPartitions,
        lag: this.metrics.totalLag,
      });
    };
    consumer.on(GROUP_JOIN, ({ payload }) => {
      // Joining is not yet health: a consumer that joins and then crashes must keep backing off.
      // A handled batch, or staying in the group for a backoff cap, resets the backoff.
      clearTimeout(this.healthyTimer);
      this.healthyTimer = setTimeout(() => (this.failedAttempts = 0), this.backoff.maxMs);
      const partitions = payload.memberAssignment[this.settings.topic] ?? [];
      delivery.assigned(partitions);
      this.metrics.assigned(partitions);
      this.assignedPartitions = partitions.length;
      // A member with no partitions (more members than partitions) never fetches.
      if (partitions.length === 0) connected();
      else awaitingFetch = true;
    });
    consumer.on(FETCH, () => {
      if (awaitingFetch) connected();
    });
    consumer.on(REBALANCING, () => {
      this.metrics.rebalanced();
      this.hooks.onState({ kind: 'rebalancing' });
    });
    consumer.on(CRASH, ({ payload }) => void this.recover(consumer, payload.error));
  }

  /** Shows the lag on the badge, at most once a second, since a status update costs a message to the editor. */
  private reportLag(): void {
    const now = Date.now();
    if (now - this.lagReportedAt < 1000) return;
    this.lagReportedAt = now;
    this.hooks.onState({
      kind: 'connected',
      partitions: this.assignedPartitions,
      lag: this.metrics.totalLag,
    });
  }

  /** A close() that ran while connect() or subscribe() was pending must not be undone by them. */
  private ensureStillWanted(consumer: Consumer): void {
    if (this.closing || this.current?.consumer !== consumer)
      throw new Error('trigger closed while connecting');
  }

  private async recover(consumer: Consumer, error: unknown): Promise<void> {
    const wasCurrent = this.current?.consumer === consumer;
    if (wasCurrent) this.current = undefined;
    if (wasCurrent) clearTimeout(this.healthyTimer);
    await consumer.disconnect().catch(() => undefined);
    if (!wasCurrent || this.closing) return;
    this.metrics.failed();
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

  /** Produces a failed record to the dead-letter topic, retrying with backoff until it lands or the trigger closes. */
  private async deadLetter(
    topic: string,
    partition: number,
    record: KafkaMessage,
    error: unknown,
  ): Promise<void> {
    const { delivery } = this.settings;
    if (delivery.mode !== 'complete' || !delivery.deadLetterTopic) return;
    const message = deadLetterMessage(topic, partition, record, error);
    for (let attempt = 1; ; attempt += 1) {
      try {
        const producer = await (this.deadLetterProducer ??= this.connectProducer());
        await producer.send({ topic: delivery.deadLetterTopic, messages: [message] });
        return;
      } catch (sendError) {
        if (this.closing) throw sendError;
        await new Promise((resolve) => setTimeout(resolve, retryDelay(attempt, this.backoff)));
      }
    }
  }

  private async connectProducer(): Promise<Producer> {
    const producer = this.kafka.producer({ allowAutoTopicCreation: false });
    try {
      await producer.connect();
      return producer;
    } catch (error) {
      this.deadLetterProducer = undefined;
      throw error;
    }
  }
}
