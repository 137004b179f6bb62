import type { Consumer } from 'kafkajs';
import type { PooledClients } from '../client/connection-pool';
import { assignmentOf, partitionCount } from './assignment';
import { DEFAULT_BACKOFF, RetryCount } from '../client/backoff';
import { ConsumerMetrics, type MetricsSnapshot } from './consumer-metrics';
import { classifyFailure } from '../client/failure';
import type {
  ConsumerState,
  ControlState,
  TriggerConsumerHooks,
  TriggerConsumerOptions,
} from './consumer-state';
import { InFlightLimit } from '../delivery/in-flight-limit';
import { ControlError, type ControlCommand } from './control-message';
import { DeadLetterSender } from './dead-letter-sender';
import { Lifecycle, type Phase, type Session } from './lifecycle';
import { PartitionControl } from './partition-control';
import { RecordDecoder } from '../formats/record-decoder';
import { schemasLoaded, type RegistryWait } from './registry-wait';
import { seek } from './seek';
import { fetched, sessionDelivery, type DeliveryParts } from './session-delivery';
import { freshStart, startFreshPartitions } from './start-positions';
import { StopSignal } from './stop-signal';
import { ProcessingClock } from '../formats/trigger-data';
import type { TriggerSettings } from '../settings/trigger-settings';
import { NoMatchingTopics, Subscription } from './subscription';

const FETCH_MAX_WAIT_MS = 1000;
/** How long a consumer replaced for a new set of matched topics waits for records still in the flow. */
const RESUBSCRIBE_DRAIN_MS = 6000;

export type { ConsumerState, ControlState, TriggerConsumerHooks, TriggerConsumerOptions };

/**
 * One consumer-group member for one trigger: connects, subscribes and consumes, and after any
 * failure throws the kafkajs consumer away and starts a fresh session after a capped, jittered
 * backoff, for ever, until close(). kafkajs's own restart is switched off so that a closed
 * trigger can never be revived by it. The parts: Lifecycle (phases and sessions), Subscription
 * (topics, `/regex/` refresh), PartitionControl (assignment, pause, holds), start-positions,
 * seek, registry-wait, DeadLetterSender, session-delivery; metrics are counted here only.
 */
export class TriggerConsumer {
  private readonly clients: PooledClients;
  private readonly settings: TriggerSettings;
  private readonly hooks: TriggerConsumerHooks;
  private readonly closing = new StopSignal();
  private readonly metrics: ConsumerMetrics;
  private readonly retries: RetryCount;
  private readonly lifecycle = new Lifecycle((_previous, next) => {
    if (next.name === 'closed' || next.name === 'backing-off' || next.name === 'stopped')
      this.retries.leftGroup();
  });
  private readonly subscription: Subscription;
  private readonly partitions = new PartitionControl();
  private readonly inFlight: InFlightLimit | undefined;
  private readonly deliveryParts: DeliveryParts;
  private readonly registryWait: RegistryWait;
  private readonly drainMs: number;
  private lagReportedAt = 0;
  private controls: Promise<unknown> = Promise.resolve();

  constructor(options: TriggerConsumerOptions) {
    const { clients, settings, hooks } = options;
    this.clients = clients;
    this.settings = settings;
    this.hooks = hooks;
    this.retries = new RetryCount(options.backoff ?? DEFAULT_BACKOFF);
    this.drainMs = options.drainMs ?? 6000;
    this.metrics = new ConsumerMetrics(settings.topic, settings.groupId, this.multiTopic);
    this.subscription = new Subscription(() => clients.admin(), settings);
    const { delivery } = settings;
    this.inFlight = delivery.mode === 'complete' ? new InFlightLimit(delivery.maxInFlight) : undefined;
    const deadLetters =
      delivery.mode === 'complete' && delivery.deadLetterTopic
        ? new DeadLetterSender(
            delivery.deadLetterTopic,
            () => clients.producer(),
            this.retries.policy,
            this.closing,
          )
        : undefined;
    const decoder = new RecordDecoder(settings.formats, options.registry);
    this.deliveryParts = {
      settings,
      hooks,
      decoder,
      clock: new ProcessingClock(),
      hold: this.partitions.hold,
      inFlight: this.inFlight,
      deadLetter: async (...failed) => deadLetters?.send(...failed),
      onFailed: () => this.metrics.failed(),
      onRecordsHandled: (records) => this.metrics.recordsHandled(records),
    };
    this.registryWait = {
      decoder,
      policy: this.retries.policy,
      heartbeatInterval: settings.heartbeatInterval,
      closing: this.closing,
      onUnavailable: (error, attempt, delayMs) => {
        this.metrics.failed();
        this.hooks.onState({ kind: 'registry-unavailable', error, attempt, delayMs });
      },
      onAvailable: () => this.reportConnected(),
    };
  }

  /** A list or `/regex/` topic setting, rather than one topic. */
  private get multiTopic(): boolean {
    const { topics } = this.settings;
    return topics.kind === 'pattern' || topics.topics.length > 1;
  }

  /** Starts the first session; a second call, or one after close(), does nothing. */
  start(): void {
    if (this.lifecycle.phase.name !== 'idle') return;
    this.subscription.watch(
      () => this.consuming(),
      (session) => this.resubscribe(session),
    );
    void this.run();
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
    if (this.lifecycle.phase.name === 'closed') return;
    const previous = this.lifecycle.enter({ name: 'closed' });
    this.closing.stop();
    this.subscription.stop();
    if (previous.name === 'resubscribing') await previous.leaving;
    if ('session' in previous) {
      await previous.session.delivery.finish(drainMs);
      await previous.session.consumer.disconnect();
    }
  }

  /** The session while it consumes (subscribed, running). */
  private consuming(): Session | undefined {
    const { phase } = this.lifecycle;
    return phase.name === 'consuming' ? phase.session : undefined;
  }

  private isCurrent = (session: Session): boolean => this.lifecycle.session === session;

  /** A close() or crash while connect(), subscribe() or run() was pending must not be undone by them. */
  private ensureCurrent(session: Session): void {
    if (!this.isCurrent(session)) throw new Error('trigger closed while connecting');
  }

  /** One session: a new kafkajs consumer connects, subscribes and runs; a failure ends in recover(). */
  private async run(): Promise<void> {
    // While retrying, the badge keeps showing why the last session failed.
    if (this.retries.failures === 0) this.hooks.onState({ kind: 'connecting' });
    const { groupId, sessionTimeout, heartbeatInterval } = this.settings;
    const consumer = this.clients.kafka.consumer({
      groupId,
      sessionTimeout,
      heartbeatInterval,
      allowAutoTopicCreation: false,
      // An idle fetch waits this long for records, and a closing consumer waits for that fetch:
      // kafkajs's 5 s made every redeploy of an idle trigger take 5 s (Java clients use 0.5 s).
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      retry: { restartOnFailure: async () => false },
    });
    const delivery = sessionDelivery(consumer, this.deliveryParts);
    const session: Session = { consumer, delivery, awaitingFetch: false, startLookUps: 0, topics: [] };
    this.partitions.unassigned();
    this.lifecycle.enter({ name: 'connecting', session });
    this.watch(session);
    try {
      await consumer.connect();
      this.ensureCurrent(session);
      const topics = await this.subscription.topicsNow();
      this.ensureCurrent(session);
      session.topics = this.subscription.accept(topics);
      this.metrics.subscribedTo(session.topics);
      for (const group of this.subscription.groups(session.topics)) await consumer.subscribe(group);
      this.ensureCurrent(session);
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async (payload) => {
          // Unresolved, a batch whose schemas cannot be fetched is fetched again: nothing is skipped.
          if (!(await schemasLoaded(payload, this.registryWait))) return;
          this.metrics.batchHandled(payload.batch, await delivery.handleBatch(fetched(payload)));
          this.retries.healthy();
          this.reportLag();
        },
      });
      this.ensureCurrent(session);
      this.lifecycle.enter({ name: 'consuming', session });
    } catch (error) {
      await this.recover(consumer, error);
    }
  }

  private watch(session: Session): void {
    const { consumer } = session;
    const { GROUP_JOIN, FETCH, REBALANCING, CRASH } = consumer.events;
    consumer.on(GROUP_JOIN, ({ payload }) => {
      if (!this.isCurrent(session)) return;
      this.retries.joinedGroup();
      const assignment = assignmentOf(payload.memberAssignment, session.topics);
      session.delivery.assigned(assignment);
      this.metrics.assigned(assignment);
      this.partitions.assigned(consumer, assignment);
      const start = freshStart(this.settings, this.partitions.assignment, this.subscription.topicsAtStart);
      if (start) {
        const { groupId } = this.settings;
        const context = {
          admin: () => this.clients.admin(),
          groupId,
          control: this.partitions,
          isCurrent: this.isCurrent,
        };
        startFreshPartitions(session, start, context).catch((error) => this.recover(consumer, error));
      }
      // Connected means fetching from a fixed start: a new group's start ("newest") is looked up
      // after joining, and records produced before that are, by Kafka's rules, not "new". A member
      // with no partitions (more members than partitions) never fetches.
      session.awaitingFetch = partitionCount(assignment) > 0;
      if (!session.awaitingFetch || this.partitions.paused) this.reportConnected();
    });
    consumer.on(FETCH, () => {
      if (!this.isCurrent(session) || !session.awaitingFetch || session.startLookUps > 0) return;
      session.awaitingFetch = false;
      this.reportConnected();
    });
    consumer.on(REBALANCING, () => {
      if (!this.isCurrent(session)) return;
      this.metrics.rebalanced();
      this.hooks.onState({ kind: 'rebalancing' });
    });
    consumer.on(CRASH, ({ payload }) => void this.recover(consumer, payload.error));
  }

  private reportConnected(): void {
    this.lagReportedAt = Date.now();
    if (this.partitions.paused) return this.hooks.onState({ kind: 'paused' });
    this.hooks.onState({
      kind: 'connected',
      partitions: partitionCount(this.partitions.assignment),
      lag: this.metrics.totalLag,
      ...(this.multiTopic ? { topics: this.lifecycle.session?.topics.length ?? 0 } : {}),
    });
  }

  /** Shows the lag on the badge, at most once a second, since a status update costs a message to the editor. */
  private reportLag(): void {
    if (Date.now() - this.lagReportedAt >= 1000) this.reportConnected();
  }

  /** Throws the failed consumer away and, unless it was replaced or the trigger closed, retries after a backoff. */
  private async recover(consumer: Consumer, error: unknown): Promise<void> {
    if (!this.lifecycle.sessionOf(consumer)) {
      await consumer.disconnect().catch(() => undefined);
      return;
    }
    // A pattern that matches nothing yet is checked again at least every refresh interval.
    const backoffMs = this.retries.failed();
    const refreshMs = this.settings.topicRefreshInterval * 1000;
    const delayMs = error instanceof NoMatchingTopics ? Math.min(backoffMs, refreshMs) : backoffMs;
    const backingOff: Phase & { name: 'backing-off' } = { name: 'backing-off', timer: undefined };
    this.lifecycle.enter(backingOff);
    await consumer.disconnect().catch(() => undefined);
    if (this.lifecycle.phase !== backingOff) return;
    backingOff.timer = setTimeout(() => void this.run(), delayMs);
    const retry = this.retries.failures;
    if (error instanceof NoMatchingTopics)
      return this.hooks.onState({
        kind: 'no-matching-topics',
        pattern: error.pattern,
        attempt: retry,
        delayMs,
      });
    this.metrics.failed();
    this.hooks.onState({ kind: 'retrying', failure: classifyFailure(error), error, attempt: retry, delayMs });
  }

  /**
   * The matched topics changed: the session hands its records over and commits as on close, then
   * leaves the group, and a new one subscribes to the new set at once. Records it had not handed
   * over or committed come again to the new one (or another member), so nothing is lost.
   */
  private async resubscribe(session: Session): Promise<void> {
    const leaving = (async () => {
      await session.delivery.finish(RESUBSCRIBE_DRAIN_MS);
      await session.consumer.disconnect().catch(() => undefined);
    })();
    const resubscribing: Phase = { name: 'resubscribing', leaving };
    this.lifecycle.enter(resubscribing);
    this.hooks.onState({ kind: 'rebalancing' });
    await leaving.catch(() => undefined);
    // A close() or stop meanwhile has waited for the same leaving and must not be undone.
    if (this.lifecycle.phase === resubscribing) await this.run();
  }

  // ---- Control messages ----------------------------------------------------------------------

  /** consuming, paused or stopped, as the control messages left it (the metrics output's `state`). */
  get controlState(): ControlState {
    if (this.lifecycle.phase.name === 'stopped') return 'stopped';
    return this.partitions.paused ? 'paused' : 'consuming';
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
    const { phase } = this.lifecycle;
    if (phase.name === 'closed') throw new ControlError('control-closed');
    switch (command.action) {
      case 'pause':
      case 'resume':
        this.partitions.setPaused(this.lifecycle.session?.consumer, command.action === 'pause');
        return this.reportControlState();
      case 'stop':
        return this.stop();
      case 'start':
        if (phase.name === 'stopped') void this.run();
        else this.reportControlState();
        return;
      case 'seek': {
        if (phase.name === 'stopped') throw new ControlError('seek-stopped');
        const { delivery } = this.settings;
        const settleMs = (delivery.mode === 'complete' ? delivery.completeTimeout : 0) + 5000;
        const admin = () => this.clients.admin();
        const context = {
          admin,
          control: this.partitions,
          session: this.consuming(),
          isCurrent: this.isCurrent,
        };
        await seek(command.target, { ...context, settleMs });
        return this.reportControlState();
      }
    }
  }

  /** Commits, leaves the group (the close path) and stays out of it until a start message. */
  private async stop(): Promise<void> {
    this.hooks.onState({ kind: 'stopped' });
    if (this.lifecycle.phase.name === 'stopped') return;
    const previous = this.lifecycle.enter({ name: 'stopped' });
    this.partitions.unassigned();
    if ('session' in previous) {
      await previous.session.delivery.finish(this.drainMs);
      await previous.session.consumer.disconnect().catch(() => undefined);
    }
  }

  /** The badge after a control message: paused, stopped, or what the consumer is doing. */
  private reportControlState(): void {
    if (this.lifecycle.phase.name === 'stopped') return this.hooks.onState({ kind: 'stopped' });
    if (this.consuming() && this.partitions.hasPartitions) return this.reportConnected();
    if (this.partitions.paused) return this.hooks.onState({ kind: 'paused' });
  }
}
