import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { PooledClients } from '../client/connection-pool';
import { assignmentOf, partitionCount, type MemberAssignment } from './assignment';
import { DEFAULT_BACKOFF, RetryCount, retryDelay, type BackoffPolicy } from '../client/backoff';
import type { BatchDelivery, DeliveryHooks, FetchedBatch } from '../delivery/delivery';
import { CompleteDelivery } from '../delivery/complete-delivery';
import { deadLetterMessage } from './dead-letter';
import { ConsumerMetrics, type MetricsSnapshot } from './consumer-metrics';
import { classifyFailure, type FailureKind } from '../client/failure';
import { HandoffDelivery } from '../delivery/handoff-delivery';
import { InFlightLimit } from '../delivery/in-flight-limit';
import { BatchWait } from '../delivery/batch-wait';
import { ControlError, type ControlCommand, type SeekTarget } from './control-message';
import { PartitionHold } from './partition-hold';
import { seekPositions, type SeekPosition } from './seek-positions';
import { RecordDecoder } from '../formats/record-decoder';
import type { SchemaRegistryClient } from '../formats/schema-registry';
import { StopSignal } from './stop-signal';
import { ProcessingClock } from '../formats/trigger-data';
import type { TriggerSettings } from '../settings/trigger-settings';
import { NoMatchingTopics, sameTopics, subscriptionTopics } from './subscription';

const FETCH_MAX_WAIT_MS = 1000;
/** How long a consumer replaced for a new set of matched topics waits for records still in the flow. */
const RESUBSCRIBE_DRAIN_MS = 6000;

export type ConsumerState =
  | { kind: 'connecting' }
  /** `topics`: how many topics are subscribed, given when the topic setting is a list or `/regex/`. */
  | { kind: 'connected'; partitions: number; lag: number; topics?: number }
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

/** A kafkajs batch as the deliveries take it. */
function fetched({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): FetchedBatch {
  const { topic, partition, messages } = batch;
  return { topic, partition, messages, resolveOffset, heartbeat, isRunning, isStale };
}

interface PartitionOffset {
  partition: number;
  offset: string;
}

/** The partitions whose start a trigger looks up itself, and how it looks up a topic's starts. */
interface FreshStart {
  assignment: Record<string, number[]>;
  offsets: (admin: Admin, topic: string) => Promise<PartitionOffset[]>;
}

/** One kafkajs consumer and the delivery that hands its batches to the flow. */
interface Attempt {
  consumer: Consumer;
  delivery: BatchDelivery;
  /** Joined with partitions, "connected" not reported yet: that waits for the first fetch. */
  awaitingFetch: boolean;
  /** Start look-ups in progress (see startFreshPartitions): "connected" waits for them too. */
  startLookUps: number;
  /** The topics subscribed to, sorted for a pattern (empty until subscribe()). */
  topics: string[];
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
  /** A `/regex/` topic matches other topics now: the consumer leaves, to subscribe again at once. */
  | { name: 'resubscribing'; leaving: Promise<void> }
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
  private readonly clients: PooledClients;
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
  /** For a `/regex/` topic: the timer that lists the cluster's topics again, and whether a listing runs. */
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing = false;
  /** For a `/regex/` topic: what it matched at the trigger's first listing; topics matched later are new. */
  private topicsAtStart: string[] | undefined;
  // Control messages and replay: what the last pause/resume and stop/start asked for, kept across
  // consumer replacements, the partitions held back from the flow, and this member's assignment.
  private paused = false;
  private readonly hold = new PartitionHold();
  private assignment: Record<string, number[]> = {};
  private controls: Promise<unknown> = Promise.resolve();
  private readonly drainMs: number;

  constructor(options: TriggerConsumerOptions) {
    this.clients = options.clients;
    this.kafka = options.clients.kafka;
    this.settings = options.settings;
    this.hooks = options.hooks;
    this.retries = new RetryCount(options.backoff ?? DEFAULT_BACKOFF);
    this.decoder = new RecordDecoder(options.settings.formats, options.registry);
    const { delivery } = options.settings;
    this.inFlight = delivery.mode === 'complete' ? new InFlightLimit(delivery.maxInFlight) : undefined;
    this.metrics = new ConsumerMetrics(options.settings.topic, options.settings.groupId, this.multiTopic);
    this.drainMs = options.drainMs ?? 6000;
  }

  /** A list or `/regex/` topic setting, rather than one topic. */
  private get multiTopic(): boolean {
    const { topics } = this.settings;
    return topics.kind === 'pattern' || topics.topics.length > 1;
  }

  /** Starts the first attempt; a second call, or one after close(), does nothing. */
  start(): void {
    if (this.phase.name !== 'idle') return;
    if (this.settings.topics.kind === 'pattern') {
      this.refreshTimer = setInterval(() => void this.refresh(), this.settings.topicRefreshInterval * 1000);
      this.refreshTimer.unref();
    }
    void this.attempt();
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
    clearInterval(this.refreshTimer);
    if (previous.name === 'resubscribing') await previous.leaving;
    if ('attempt' in previous) {
      await previous.attempt.delivery.finish(drainMs);
      await previous.attempt.consumer.disconnect();
    }
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
    const { groupId, sessionTimeout, heartbeatInterval } = this.settings;
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
    const attempt: Attempt = {
      consumer,
      delivery: this.deliveryFor(consumer),
      awaitingFetch: false,
      startLookUps: 0,
      topics: [],
    };
    this.assignment = {};
    const { delivery } = attempt;
    this.enter({ name: 'connecting', attempt });
    this.watch(consumer);
    try {
      await consumer.connect();
      this.ensureCurrent(consumer);
      const topics = await this.topicsNow();
      this.ensureCurrent(consumer);
      this.topicsAtStart ??= topics;
      if (topics.length === 0) throw new NoMatchingTopics(this.settings.topic.slice(1, -1));
      attempt.topics = topics;
      this.metrics.subscribedTo(topics);
      for (const group of this.subscriptionGroups(topics)) await consumer.subscribe(group);
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
    return new BatchWait(delivery, output.maxSize, output.maxWait, (records) =>
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
        this.hold,
      );
    return new CompleteDelivery({
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
      hold: this.hold,
    });
  }

  private watch(consumer: Consumer): void {
    const { GROUP_JOIN, FETCH, REBALANCING, CRASH } = consumer.events;
    consumer.on(GROUP_JOIN, ({ payload }) => {
      const attempt = this.current(consumer);
      if (!attempt) return;
      this.retries.joinedGroup();
      const assignment = assignmentOf(payload.memberAssignment, attempt.topics);
      attempt.delivery.assigned(assignment);
      this.metrics.assigned(assignment);
      this.assignedPartitions = partitionCount(assignment);
      this.joined(attempt, assignment);
      // Connected means fetching from a fixed start: a new group's start ("newest") is looked up
      // after joining, and records produced before that are, by Kafka's rules, not "new". A member
      // with no partitions (more members than partitions) never fetches.
      attempt.awaitingFetch = this.assignedPartitions > 0;
      if (!attempt.awaitingFetch || this.paused) this.reportConnected();
    });
    consumer.on(FETCH, () => {
      const attempt = this.current(consumer);
      if (!attempt?.awaitingFetch || attempt.startLookUps > 0) return;
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
    const subscribed = 'attempt' in this.phase ? this.phase.attempt.topics.length : 0;
    if (this.paused) return this.hooks.onState({ kind: 'paused' });
    this.hooks.onState({
      kind: 'connected',
      partitions: this.assignedPartitions,
      lag: this.metrics.totalLag,
      ...(this.multiTopic ? { topics: subscribed } : {}),
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
    // A pattern that matches nothing yet is checked again at least every refresh interval.
    const backoffMs = this.retries.failed();
    const delayMs =
      error instanceof NoMatchingTopics
        ? Math.min(backoffMs, this.settings.topicRefreshInterval * 1000)
        : backoffMs;
    const backingOff: Phase & { name: 'backing-off' } = { name: 'backing-off', timer: undefined };
    this.enter(backingOff);
    await consumer.disconnect().catch(() => undefined);
    if (this.phase !== backingOff) return;
    backingOff.timer = setTimeout(() => void this.attempt(), delayMs);
    if (error instanceof NoMatchingTopics) {
      const { pattern } = error;
      return this.hooks.onState({
        kind: 'no-matching-topics',
        pattern,
        attempt: this.retries.failures,
        delayMs,
      });
    }
    this.metrics.failed();
    this.hooks.onState({
      kind: 'retrying',
      failure: classifyFailure(error),
      error,
      attempt: this.retries.failures,
      delayMs,
    });
  }

  // --- Topic lists and patterns ---

  /** The topics to subscribe to now: the list, or what the pattern matches (never the dead-letter topic). */
  private topicsNow(): Promise<string[]> {
    const { topics, delivery } = this.settings;
    const deadLetters = delivery.mode === 'complete' ? delivery.deadLetterTopic : undefined;
    return subscriptionTopics(() => this.clients.admin(), topics, deadLetters);
  }

  /**
   * `start_from` for the topics the trigger started with. A topic a `/regex/` matched only later
   * (created after the deploy) is read from its first record when the group has no offset there:
   * its records were all written after the trigger started, and must not be missed for having
   * come before the refresh that found it.
   */
  private subscriptionGroups(topics: string[]): { topics: string[]; fromBeginning: boolean }[] {
    const fromBeginning = this.settings.startFrom === 'earliest';
    const atStart = this.topicsAtStart ?? topics;
    const later = fromBeginning ? [] : topics.filter((topic) => !atStart.includes(topic));
    const first = topics.filter((topic) => !later.includes(topic));
    return [
      ...(first.length > 0 ? [{ topics: first, fromBeginning }] : []),
      ...(later.length > 0 ? [{ topics: later, fromBeginning: true }] : []),
    ];
  }

  /**
   * Lists the topics again (a `/regex/` topic, every refresh interval) and, when the matched set
   * changed, replaces the consumer: the old one hands its records over and commits as on close,
   * then leaves the group, and a new one subscribes to the new set at once. Records it had not
   * handed over or committed come again to the new one (or another member), so nothing is lost.
   */
  private async refresh(): Promise<void> {
    if (this.refreshing || this.phase.name !== 'consuming') return;
    const { attempt } = this.phase;
    this.refreshing = true;
    try {
      let topics: string[];
      try {
        topics = await this.topicsNow();
      } catch {
        // The consumer reports an unreachable cluster itself; the next refresh lists again.
        return;
      }
      if (this.phase.name !== 'consuming' || this.phase.attempt !== attempt) return;
      if (sameTopics(topics, attempt.topics)) return;
      await this.resubscribe(attempt);
    } finally {
      this.refreshing = false;
    }
  }

  private async resubscribe(attempt: Attempt): Promise<void> {
    const leaving = (async () => {
      await attempt.delivery.finish(RESUBSCRIBE_DRAIN_MS);
      await attempt.consumer.disconnect().catch(() => undefined);
    })();
    const resubscribing: Phase = { name: 'resubscribing', leaving };
    this.enter(resubscribing);
    this.hooks.onState({ kind: 'rebalancing' });
    await leaving.catch(() => undefined);
    // A close() meanwhile has waited for the same leaving and must not be undone.
    if (this.phase === resubscribing) await this.attempt();
  }

  // --- end of topic lists and patterns ---

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
        const producer = await this.clients.producer();
        await producer.send({ topic: delivery.deadLetterTopic, messages: [message] });
        return;
      } catch (sendError) {
        if (this.closing.stopped) throw sendError;
        await this.closing.race(sleep(retryDelay(attempt, this.retries.policy), true, { ref: false }));
        if (this.closing.stopped) throw sendError;
      }
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

  /** The topics this trigger reads: what its consumer subscribed to and whatever the group assigned. */
  private subscribedTopics(): string[] {
    const subscribed = 'attempt' in this.phase ? this.phase.attempt.topics : [];
    return [...new Set([...subscribed, ...Object.keys(this.assignment)])];
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

  /** After each join: the new assignment; a pause applied again; a new group's start looked up. */
  private joined(attempt: Attempt, memberAssignment: MemberAssignment): void {
    this.assignment = Object.fromEntries(
      Object.entries(memberAssignment)
        .filter(([, partitions]) => partitions.length > 0)
        .map(([topic, partitions]) => [topic, [...partitions]]),
    );
    if (this.paused) this.pauseConsumer(this.topicPartitions(this.assignment), true);
    const start = this.freshStart();
    if (start) this.startFreshPartitions(attempt, start);
  }

  /**
   * Where partitions without a committed offset start, when this trigger looks it up itself:
   * `timestamp`, the first record at or after start_timestamp (latest when there is none);
   * `newest`, the partition's end now, for the topics the trigger started with (those matched
   * later are read from their first record, see subscriptionGroups). `earliest` is left to kafkajs:
   * looking it up again after a restart loses nothing.
   */
  private freshStart(): FreshStart | undefined {
    const { startTimestamp, startFrom } = this.settings;
    if (startTimestamp !== undefined)
      return {
        assignment: this.assignment,
        offsets: (admin, topic) => admin.fetchTopicOffsetsByTimestamp(topic, startTimestamp),
      };
    if (startFrom !== 'newest') return undefined;
    const atStart = this.topicsAtStart ?? [];
    return {
      assignment: Object.fromEntries(
        Object.entries(this.assignment).filter(([topic]) => atStart.includes(topic)),
      ),
      offsets: async (admin, topic) =>
        (await admin.fetchTopicOffsets(topic)).map(({ partition, offset }) => ({ partition, offset })),
    };
  }

  /**
   * Moves partitions the group has no committed offset for to their looked-up start and commits it
   * at once. Without the commit, a trigger closed before its first commit (a redeploy) would leave
   * the group without a position, and the next one would look up "newest" again, skipping what was
   * produced in between. The partitions are held until then, so no record before the start reaches
   * the flow; a failed look-up is a consumer failure (backoff, retry).
   */
  private startFreshPartitions(attempt: Attempt, start: FreshStart): void {
    const held = this.topicPartitions(start.assignment);
    if (held.length === 0) return;
    for (const { topic, partitions } of held)
      for (const partition of partitions) this.hold.hold(topic, partition);
    this.pauseConsumer(held, true);
    attempt.startLookUps += 1;
    const release = (): void => {
      attempt.startLookUps -= 1;
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
          const starts = await start.offsets(admin, topic);
          if (!this.current(attempt.consumer)) return;
          for (const { partition, offset } of starts) {
            // A rebalance during the look-up may have moved the partition to another member.
            if (!fresh.includes(partition) || !this.assignment[topic]?.includes(partition)) continue;
            attempt.consumer.seek({ topic, partition, offset });
            attempt.delivery.moveTo(topic, partition, offset);
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

  /** The broker node's pooled admin client, for offset look-ups. */
  private adminClient(): Promise<Admin> {
    return this.clients.admin();
  }
}

function groupPositions(positions: SeekPosition[]): Record<string, number[]> {
  const grouped: Record<string, number[]> = {};
  for (const { topic, partition } of positions) (grouped[topic] ??= []).push(partition);
  return grouped;
}
