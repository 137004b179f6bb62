import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { DEFAULT_BACKOFF, RetryCount, retryDelay, type BackoffPolicy } from './backoff';
import type { BatchDelivery, DeliveryHooks } from './batch-delivery';
import { CompletionDelivery } from './completion-delivery';
import { deadLetterMessage } from './dead-letter';
import { ConsumerMetrics, type MetricsSnapshot } from './consumer-metrics';
import { classifyFailure, type FailureKind } from './failure';
import { HandoffDelivery } from './handoff-delivery';
import { InFlightLimit } from './in-flight-limit';
import { ControlError, type ControlCommand, type SeekTarget } from './control-message';
import { PartitionHold } from './partition-hold';
import { seekPositions, type SeekPosition } from './seek-positions';
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
  | { kind: 'registry-unavailable'; error: unknown; attempt: number; delayMs: number }
  // Control messages: paused (still in the group) and stopped (left it).
  | { kind: 'paused' }
  | { kind: 'stopped' };

/** What control messages have left the trigger doing; the metrics output's `state`. */
export type ControlState = 'consuming' | 'paused' | 'stopped';

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
  /** How long a stop control message waits for records still in the flow; default 6000 ms. */
  drainMs?: number;
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
  /** Stopped by a control message: out of the group until a start message. */
  | { name: 'stopped' }
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
  // Control messages and replay: what the last pause/resume and stop/start asked for, kept across
  // consumer replacements, the partitions held back from the flow, and this member's assignment.
  private paused = false;
  private readonly hold = new PartitionHold();
  private assignment: Record<string, number[]> = {};
  private admin: Promise<Admin> | undefined;
  private controls: Promise<unknown> = Promise.resolve();
  private readonly drainMs: number;

  constructor(options: TriggerConsumerOptions) {
    this.kafka = options.kafka;
    this.settings = options.settings;
    this.hooks = options.hooks;
    this.retries = new RetryCount(options.backoff ?? DEFAULT_BACKOFF);
    this.decoder = new RecordDecoder(options.settings.formats, options.registry);
    const { delivery } = options.settings;
    this.inFlight = delivery.mode === 'complete' ? new InFlightLimit(delivery.maxInFlight) : undefined;
    this.metrics = new ConsumerMetrics(options.settings.topic, options.settings.groupId);
    this.drainMs = options.drainMs ?? 6000;
  }

  /** Starts the first attempt; a second call, or one after close(), does nothing. */
  start(): void {
    if (this.phase.name === 'idle') void this.attempt();
  }

  /** The key metrics: lag per partition, records/s since the last call, errors, rebalances. */
  metricsSnapshot(): MetricsSnapshot {
    return this.metrics.snapshot(this.inFlight?.size ?? 0, undefined, this.controlState);
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
    const admin = this.admin;
    this.admin = undefined;
    if (admin) await (await admin).disconnect();
  }

  /** The one place the phase changes; returns the phase left, and ends its backoff timer. */
  private enter(phase: Phase): Phase {
    const previous = this.phase;
    if (previous.name === 'backing-off') clearTimeout(previous.timer);
    if (phase.name === 'closed' || phase.name === 'backing-off' || phase.name === 'stopped')
      this.retries.leftGroup();
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
    this.assignment = {};
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
          this.metrics.batchHandled(payload.batch, await delivery.handleBatch(payload));
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
    const { delivery, heartbeatInterval } = this.settings;
    if (delivery.mode === 'handoff' || !this.inFlight)
      return new HandoffDelivery(
        this.hooks,
        this.decoder,
        this.clock,
        consumer,
        heartbeatInterval,
        this.hold,
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
      deadLetterTopic: delivery.deadLetterTopic,
      deadLetter: (topic, partition, record, error) => this.deadLetter(topic, partition, record, error),
      hold: this.hold,
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
      this.joined(attempt, payload.memberAssignment);
      // Connected means fetching: a new group's start position ("newest") is only fixed by the
      // first fetch after joining, and records produced before that are, by Kafka's rules, not
      // "new". A member with no partitions (more members than partitions) never fetches.
      attempt.awaitingFetch = partitions.length > 0;
      if (!attempt.awaitingFetch || this.paused) this.reportConnected();
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
    if (this.paused) return this.hooks.onState({ kind: 'paused' });
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

  // ---- Control messages and replay --------------------------------------------------------------

  /** consuming, paused or stopped, as the control messages left it (the metrics output's `state`). */
  get controlState(): ControlState {
    if (this.phase.name === 'stopped') return 'stopped';
    return this.paused ? 'paused' : 'consuming';
  }

  /**
   * Applies one control message, after those before it. Rejects with a ControlError, having changed
   * nothing, when the message cannot be applied. pause, resume, stop and start are remembered in any
   * phase (a replaced consumer is paused again as it joins; a stopped trigger stays out of the group);
   * seek needs partitions: it fails while the trigger has none (connecting, backing off, stopped).
   */
  control(command: ControlCommand): Promise<void> {
    const applied = this.controls.then(() => this.apply(command));
    this.controls = applied.catch(() => undefined);
    return applied;
  }

  private async apply(command: ControlCommand): Promise<void> {
    if (this.phase.name === 'closed') throw new ControlError('control-closed');
    switch (command.action) {
      case 'pause':
        this.paused = true;
        this.hold.holdAll(true);
        this.pauseConsumer(this.topicPartitions(this.assignment), true);
        return this.reportControlState();
      case 'resume':
        this.paused = false;
        this.hold.holdAll(false);
        this.pauseConsumer(this.topicPartitions(this.assignment), false);
        return this.reportControlState();
      case 'stop':
        return this.stopConsuming();
      case 'start':
        if (this.phase.name === 'stopped') {
          this.enter({ name: 'idle' });
          void this.attempt();
        } else this.reportControlState();
        return;
      case 'seek':
        return this.seek(command.target);
    }
  }

  /** Commits, leaves the group (the close path) and stays out of it until a start message. */
  private async stopConsuming(): Promise<void> {
    const previous = this.enter({ name: 'stopped' });
    this.assignment = {};
    this.hooks.onState({ kind: 'stopped' });
    if ('attempt' in previous) {
      await previous.attempt.delivery.finish(this.drainMs);
      await previous.attempt.consumer.disconnect().catch(() => undefined);
    }
  }

  /** The badge after a control message: paused, stopped, or what the consumer is doing. */
  private reportControlState(): void {
    if (this.phase.name === 'stopped') return this.hooks.onState({ kind: 'stopped' });
    if (this.phase.name === 'consuming' && Object.keys(this.assignment).length > 0)
      return this.reportConnected();
    if (this.paused) return this.hooks.onState({ kind: 'paused' });
  }

  /** The topics this trigger reads: its setting and whatever the group assigned (several with multi-topic). */
  private subscribedTopics(): string[] {
    return [...new Set([this.settings.topic, ...Object.keys(this.assignment)])];
  }

  private topicPartitions(assignment: Record<string, number[]>): { topic: string; partitions: number[] }[] {
    return Object.entries(assignment)
      .filter(([, partitions]) => partitions.length > 0)
      .map(([topic, partitions]) => ({ topic, partitions }));
  }

  /** Pauses or resumes the current consumer's fetching of these partitions (the group membership stays). */
  private pauseConsumer(topicPartitions: { topic: string; partitions: number[] }[], pause: boolean): void {
    const attempt = 'attempt' in this.phase ? this.phase.attempt : undefined;
    if (!attempt || topicPartitions.length === 0) return;
    try {
      if (pause) attempt.consumer.pause(topicPartitions);
      else attempt.consumer.resume(topicPartitions);
    } catch {
      // Not running yet: the join re-applies a pause (see joined()).
    }
  }

  /** After each join: the new assignment; a pause applied again; a start at a timestamp looked up. */
  private joined(attempt: Attempt, memberAssignment: Record<string, number[]>): void {
    this.assignment = Object.fromEntries(
      Object.entries(memberAssignment).filter(([, partitions]) => partitions.length > 0),
    );
    if (this.paused) this.pauseConsumer(this.topicPartitions(this.assignment), true);
    if (this.settings.startTimestamp !== undefined) this.startAtTimestamp(attempt, this.assignment);
  }

  /**
   * start_from `timestamp`: partitions without a committed offset start at the first record at or
   * after start_timestamp (latest when there is none). They are held until that is looked up, so that
   * no record before it reaches the flow; a failed look-up is a consumer failure (backoff, retry).
   */
  private startAtTimestamp(attempt: Attempt, assignment: Record<string, number[]>): void {
    const timestamp = this.settings.startTimestamp!;
    const held = this.topicPartitions(assignment);
    if (held.length === 0) return;
    for (const { topic, partitions } of held)
      for (const partition of partitions) this.hold.hold(topic, partition);
    this.pauseConsumer(held, true);
    const release = (): void => {
      for (const { topic, partitions } of held)
        for (const partition of partitions) this.hold.release(topic, partition);
      if (!this.paused && this.current(attempt.consumer)) this.pauseConsumer(held, false);
    };
    void (async () => {
      try {
        const admin = await this.adminClient();
        const committed = await admin.fetchOffsets({
          groupId: this.settings.groupId,
          topics: held.map(({ topic }) => topic),
        });
        for (const { topic, partitions } of held) {
          const topicOffsets = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
          const fresh = partitions.filter(
            (partition) =>
              Number(topicOffsets.find((entry) => entry.partition === partition)?.offset ?? -1) < 0,
          );
          if (fresh.length === 0) continue;
          const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
          if (!this.current(attempt.consumer)) return;
          for (const { partition, offset } of byTime) {
            if (fresh.includes(partition)) attempt.consumer.seek({ topic, partition, offset });
          }
        }
        release();
      } catch (error) {
        release();
        await this.recover(attempt.consumer, error);
      }
    })();
  }

  /**
   * Moves this member's partitions (or the one named) to the target and carries on from there. The
   * partitions are held first; in complete delivery their records still in the flow are waited for,
   * finished and committed as usual (never committed unfinished); then the new position is committed,
   * so that it survives a restart or a rebalance.
   */
  private async seek(target: SeekTarget): Promise<void> {
    if (this.phase.name === 'stopped') throw new ControlError('seek-stopped');
    const attempt = this.phase.name === 'consuming' ? this.phase.attempt : undefined;
    if (!attempt || Object.keys(this.assignment).length === 0) throw new ControlError('seek-no-partitions');
    const { consumer, delivery } = attempt;
    let positions: SeekPosition[];
    try {
      positions = await seekPositions(
        await this.adminClient(),
        target,
        this.assignment,
        this.subscribedTopics(),
      );
    } catch (error) {
      if (error instanceof ControlError) throw error;
      throw new ControlError('seek-failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
    if (!this.current(consumer)) throw new ControlError('seek-no-partitions');
    const moved = this.topicPartitions(groupPositions(positions));
    for (const { topic, partition } of positions) this.hold.hold(topic, partition);
    this.pauseConsumer(moved, true);
    try {
      const budget =
        this.settings.delivery.mode === 'complete' ? this.settings.delivery.completeTimeout + 5000 : 5000;
      for (const { topic, partition } of positions) {
        if (!(await delivery.settle(topic, partition, budget)))
          throw new ControlError('seek-busy', { topic, partition });
      }
      if (!this.current(consumer)) throw new ControlError('seek-no-partitions');
      for (const { topic, partition, offset } of positions) {
        consumer.seek({ topic, partition, offset });
        delivery.moveTo(topic, partition, offset);
      }
    } finally {
      for (const { topic, partition } of positions) this.hold.release(topic, partition);
      if (!this.paused && this.current(consumer)) this.pauseConsumer(moved, false);
    }
    this.reportControlState();
  }

  /** One admin client per trigger, for offset look-ups; connected on first use, closed with the trigger. */
  private async adminClient(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
        return admin;
      } catch (error) {
        this.admin = undefined;
        throw error;
      }
    })();
    return this.admin;
  }
}

function groupPositions(positions: SeekPosition[]): Record<string, number[]> {
  const grouped: Record<string, number[]> = {};
  for (const { topic, partition } of positions) (grouped[topic] ??= []).push(partition);
  return grouped;
}
