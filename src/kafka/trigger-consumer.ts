import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { DEFAULT_BACKOFF, RetryCount, retryDelay, type BackoffPolicy } from './backoff';
import type { BatchDelivery, DeliveryHooks, FetchedBatch } from './batch-delivery';
import { CompletionDelivery } from './completion-delivery';
import { deadLetterMessage } from './dead-letter';
import { ConsumerMetrics, type MetricsSnapshot } from './consumer-metrics';
import { classifyFailure, type FailureKind } from './failure';
import { HandoffDelivery } from './handoff-delivery';
import { InFlightLimit } from './in-flight-limit';
import { PartialBatches } from './partial-batches';
import { RecordDecoder } from './record-decoder';
import type { SchemaRegistryClient } from './schema-registry';
import { StopSignal } from './stop-signal';
import { ProcessingClock } from './trigger-data';
import type { TriggerSettings } from './trigger-settings';

const FETCH_MAX_WAIT_MS = 1000;

export type ConsumerState =
  | { kind: 'connecting' }
  | { kind: 'connected'; partitions: number; lag: number }
  | { kind: 'rebalancing' }
  | { kind: 'retrying'; failure: FailureKind; error: unknown; attempt: number; delayMs: number }
  | { kind: 'registry-unavailable'; error: unknown; attempt: number; delayMs: number };

export interface TriggerConsumerHooks extends DeliveryHooks {
  onState(state: ConsumerState): void;
}

export interface TriggerConsumerOptions {
  kafka: Kafka;
  settings: TriggerSettings;
  hooks: TriggerConsumerHooks;
  /** The broker node's Schema Registry, for the schema-registry formats. */
  registry?: SchemaRegistryClient;
  backoff?: BackoffPolicy;
}

/** A kafkajs batch as the deliveries take it. */
function fetched({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): FetchedBatch {
  const { topic, partition, messages } = batch;
  return { topic, partition, messages, resolveOffset, heartbeat, isRunning, isStale };
}

/** One kafkajs consumer and the delivery that hands its batches to the flow. */
interface Attempt {
  consumer: Consumer;
  delivery: BatchDelivery;
  /** Joined with partitions, "connected" not reported yet: that waits for the first fetch. */
  awaitingFetch: boolean;
}

/**
 * Where the trigger is in its life. Every change goes through `enter()`:
 *
 *   idle → connecting → consuming ⇄ (crash) → backing off → connecting …; any phase → closed.
 */
type Phase =
  | { name: 'idle' }
  | { name: 'connecting' | 'consuming'; attempt: Attempt }
  | { name: 'backing-off'; timer: NodeJS.Timeout | undefined }
  | { name: 'closed' };

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
  private readonly clock = new ProcessingClock();
  private readonly decoder: RecordDecoder;
  private readonly closing = new StopSignal();
  private readonly inFlight: InFlightLimit | undefined;
  private readonly metrics: ConsumerMetrics;
  private readonly retries: RetryCount;
  private phase: Phase = { name: 'idle' };
  private assignedPartitions = 0;
  private lagReportedAt = 0;
  private deadLetterProducer: Promise<Producer> | undefined;

  constructor(options: TriggerConsumerOptions) {
    this.kafka = options.kafka;
    this.settings = options.settings;
    this.hooks = options.hooks;
    this.retries = new RetryCount(options.backoff ?? DEFAULT_BACKOFF);
    this.decoder = new RecordDecoder(options.settings.formats, options.registry);
    const { delivery } = options.settings;
    this.inFlight = delivery.mode === 'complete' ? new InFlightLimit(delivery.maxInFlight) : undefined;
    this.metrics = new ConsumerMetrics(options.settings.topic, options.settings.groupId);
  }

  /** Starts the first attempt; a second call, or one after close(), does nothing. */
  start(): void {
    if (this.phase.name === 'idle') void this.attempt();
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
    const previous = this.enter({ name: 'closed' });
    this.closing.stop();
    if ('attempt' in previous) {
      await previous.attempt.delivery.finish(drainMs);
      await previous.attempt.consumer.disconnect();
    }
    const producer = this.deadLetterProducer;
    this.deadLetterProducer = undefined;
    if (producer) await (await producer).disconnect();
  }

  /** The one place the phase changes; returns the phase left, and ends its backoff timer. */
  private enter(phase: Phase): Phase {
    const previous = this.phase;
    if (previous.name === 'backing-off') clearTimeout(previous.timer);
    if (phase.name === 'closed' || phase.name === 'backing-off') this.retries.leftGroup();
    this.phase = phase;
    return previous;
  }

  /** The attempt of `consumer` while it is the one the trigger runs (events of a replaced one are stale). */
  private current(consumer: Consumer): Attempt | undefined {
    return 'attempt' in this.phase && this.phase.attempt.consumer === consumer
      ? this.phase.attempt
      : undefined;
  }

  private async attempt(): Promise<void> {
    // While retrying, the badge keeps showing why the last attempt failed.
    if (this.retries.failures === 0) this.hooks.onState({ kind: 'connecting' });
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
    const attempt: Attempt = { consumer, delivery: this.deliveryFor(consumer), awaitingFetch: false };
    const { delivery } = attempt;
    this.enter({ name: 'connecting', attempt });
    this.watch(consumer);
    try {
      await consumer.connect();
      this.ensureCurrent(consumer);
      await consumer.subscribe({ topics: [topic], fromBeginning: startFrom === 'earliest' });
      this.ensureCurrent(consumer);
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async (payload) => {
          // Unresolved, a batch whose schemas cannot be fetched is fetched again: nothing is skipped.
          if (!(await this.schemasLoaded(payload))) return;
          this.metrics.batchHandled(payload.batch, await delivery.handleBatch(fetched(payload)));
          this.retries.healthy();
          this.reportLag();
        },
      });
      this.ensureCurrent(consumer);
      this.enter({ name: 'consuming', attempt });
    } catch (error) {
      await this.recover(consumer, error);
    }
  }

  /**
   * Fetches the schemas the batch names, waiting out a registry outage with the usual backoff while
   * heartbeats keep the group membership; false once the batch is no longer wanted.
   */
  private async schemasLoaded({ batch, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<boolean> {
    const policy = this.retries.policy;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.decoder.prepare(batch.messages);
        if (attempt > 1) this.reportConnected();
        return true;
      } catch (error) {
        const delayMs = retryDelay(attempt, policy);
        this.metrics.failed();
        this.hooks.onState({ kind: 'registry-unavailable', error, attempt, delayMs });
        const until = Date.now() + delayMs;
        while (Date.now() < until) {
          const slice = Math.min(until - Date.now(), this.settings.heartbeatInterval);
          await this.closing.race(sleep(slice, true, { ref: false }));
          if (this.closing.stopped || !isRunning() || isStale()) return false;
          await heartbeat();
        }
      }
    }
  }

  /** A close() or crash while connect(), subscribe() or run() was pending must not be undone by them. */
  private ensureCurrent(consumer: Consumer): void {
    if (!this.current(consumer)) throw new Error('trigger closed while connecting');
  }

  private deliveryFor(consumer: Consumer): BatchDelivery {
    const { output } = this.settings;
    const delivery = this.recordDelivery(consumer, output.kind === 'batch' ? output.maxSize : undefined);
    if (output.kind === 'record' || output.maxWait === 0) return delivery;
    return new PartialBatches(delivery, output.maxSize, output.maxWait, (records) =>
      this.metrics.recordsHandled(records),
    );
  }

  /** The delivery mode's way of handing records to the flow, `batchSize` of them per msg in batch output. */
  private recordDelivery(consumer: Consumer, batchSize: number | undefined): BatchDelivery {
    const { delivery, heartbeatInterval } = this.settings;
    if (delivery.mode === 'handoff' || !this.inFlight)
      return new HandoffDelivery(
        this.hooks,
        this.decoder,
        this.clock,
        consumer,
        heartbeatInterval,
        batchSize,
      );
    return new CompletionDelivery({
      consumer,
      hooks: {
        ...this.hooks,
        onRecordFailed: (failure) => {
          this.metrics.failed();
          this.hooks.onRecordFailed(failure);
        },
      },
      decoder: this.decoder,
      clock: this.clock,
      limit: this.inFlight,
      heartbeatInterval,
      batchSize,
      deadLetterTopic: delivery.deadLetterTopic,
      deadLetter: (topic, partition, record, error) => this.deadLetter(topic, partition, record, error),
    });
  }

  private watch(consumer: Consumer): void {
    const { GROUP_JOIN, FETCH, REBALANCING, CRASH } = consumer.events;
    consumer.on(GROUP_JOIN, ({ payload }) => {
      const attempt = this.current(consumer);
      if (!attempt) return;
      this.retries.joinedGroup();
      const partitions = payload.memberAssignment[this.settings.topic] ?? [];
      attempt.delivery.assigned(partitions);
      this.metrics.assigned(partitions);
      this.assignedPartitions = partitions.length;
      // Connected means fetching: a new group's start position ("newest") is only fixed by the
      // first fetch after joining, and records produced before that are, by Kafka's rules, not
      // "new". A member with no partitions (more members than partitions) never fetches.
      attempt.awaitingFetch = partitions.length > 0;
      if (!attempt.awaitingFetch) this.reportConnected();
    });
    consumer.on(FETCH, () => {
      const attempt = this.current(consumer);
      if (!attempt?.awaitingFetch) return;
      attempt.awaitingFetch = false;
      this.reportConnected();
    });
    consumer.on(REBALANCING, () => {
      if (!this.current(consumer)) return;
      this.metrics.rebalanced();
      this.hooks.onState({ kind: 'rebalancing' });
    });
    consumer.on(CRASH, ({ payload }) => void this.recover(consumer, payload.error));
  }

  private reportConnected(): void {
    this.lagReportedAt = Date.now();
    this.hooks.onState({
      kind: 'connected',
      partitions: this.assignedPartitions,
      lag: this.metrics.totalLag,
    });
  }

  /** Shows the lag on the badge, at most once a second, since a status update costs a message to the editor. */
  private reportLag(): void {
    if (Date.now() - this.lagReportedAt >= 1000) this.reportConnected();
  }

  /** Throws the failed consumer away and, unless it was replaced or the trigger closed, retries after a backoff. */
  private async recover(consumer: Consumer, error: unknown): Promise<void> {
    if (!this.current(consumer)) {
      await consumer.disconnect().catch(() => undefined);
      return;
    }
    const delayMs = this.retries.failed();
    const backingOff: Phase & { name: 'backing-off' } = { name: 'backing-off', timer: undefined };
    this.enter(backingOff);
    await consumer.disconnect().catch(() => undefined);
    if (this.phase !== backingOff) return;
    backingOff.timer = setTimeout(() => void this.attempt(), delayMs);
    this.metrics.failed();
    this.hooks.onState({
      kind: 'retrying',
      failure: classifyFailure(error),
      error,
      attempt: this.retries.failures,
      delayMs,
    });
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
        if (this.phase.name === 'closed') throw sendError;
        await new Promise((resolve) => setTimeout(resolve, retryDelay(attempt, this.retries.policy)));
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
