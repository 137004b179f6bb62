import type { Consumer } from 'kafkajs';
import type { PooledClients } from '../client/connection-pool';
import { DEFAULT_BACKOFF, RetryCount } from '../client/backoff';
import { InFlightLimit } from '../delivery/in-flight-limit';
import { RecordDecoder } from '../formats/record-decoder';
import { ProcessingClock } from '../formats/trigger-data';
import type { TriggerSettings } from '../settings/trigger-settings';
import { assignmentOf, partitionCount } from './assignment';
import { ConsumerControl } from './consumer-control';
import type { MetricsSnapshot } from './consumer-metrics';
import { ConsumerReport } from './consumer-report';
import type {
  ConsumerState,
  ControlState,
  TriggerConsumerHooks,
  TriggerConsumerOptions,
} from './consumer-state';
import type { ControlCommand } from './control-message';
import { DeadLetterSender } from './dead-letter-sender';
import { Lifecycle, type Phase, type Session } from './lifecycle';
import { PartitionControl } from './partition-control';
import { schemasLoaded, type RegistryWait } from './registry-wait';
import { fetched, newSession, type DeliveryParts } from './session';
import { freshStart, startFreshPartitions, type StartContext } from './start-positions';
import { StopSignal } from './stop-signal';
import { NoMatchingTopics, Subscription } from './subscription';

export type { ConsumerState, ControlState, TriggerConsumerHooks, TriggerConsumerOptions };

/** How long a consumer replaced for a new set of matched topics waits for records still in the flow. */
const RESUBSCRIBE_DRAIN_MS = 6000;

/**
 * One consumer-group member for one trigger: connects, subscribes and consumes, and after any
 * failure throws the kafkajs consumer away and starts a fresh session after a capped, jittered
 * backoff, for ever, until close(). kafkajs's own restart is switched off so that a closed
 * trigger can never be revived by it. This class runs the sessions; its parts do the rest:
 * Lifecycle (the phases), Subscription (topics, `/regex/` refresh), PartitionControl (assignment,
 * pause, holds), ConsumerControl (control messages), start-positions, registry-wait,
 * session (a consumer and its delivery) with DeadLetterSender, and ConsumerReport (metrics and badge).
 */
export class TriggerConsumer {
  private readonly clients: PooledClients;
  private readonly settings: TriggerSettings;
  private readonly closing = new StopSignal();
  private readonly retries: RetryCount;
  private readonly lifecycle = new Lifecycle((_previous, next) => {
    if (next.name === 'closed' || next.name === 'backing-off' || next.name === 'stopped')
      this.retries.leftGroup();
  });
  private readonly subscription: Subscription;
  private readonly partitions = new PartitionControl();
  private readonly report: ConsumerReport;
  private readonly controls: ConsumerControl;
  private readonly inFlight: InFlightLimit | undefined;
  private readonly deliveryParts: DeliveryParts;
  private readonly registryWait: RegistryWait;
  private readonly startContext: StartContext;

  constructor(options: TriggerConsumerOptions) {
    const { clients, settings, hooks } = options;
    this.clients = clients;
    this.settings = settings;
    this.retries = new RetryCount(options.backoff ?? DEFAULT_BACKOFF);
    this.subscription = new Subscription(() => clients.admin(), settings);
    this.report = new ConsumerReport(
      settings,
      (state) => hooks.onState(state),
      () => ({
        paused: this.partitions.paused,
        partitions: partitionCount(this.partitions.assignment),
        topics: this.lifecycle.session?.topics.length ?? 0,
      }),
    );
    this.controls = new ConsumerControl({
      lifecycle: this.lifecycle,
      partitions: this.partitions,
      settings,
      drainMs: options.drainMs ?? 6000,
      admin: () => clients.admin(),
      onState: (state) => hooks.onState(state),
      reportConnected: () => this.report.connected(),
      startSession: () => void this.run(),
    });
    const { delivery } = settings;
    this.inFlight = delivery.mode !== 'handoff' ? new InFlightLimit(delivery.maxInFlight) : undefined;
    const decoder = new RecordDecoder(settings.formats, options.registry);
    this.deliveryParts = {
      settings,
      hooks,
      decoder,
      clock: new ProcessingClock(),
      hold: this.partitions.hold,
      inFlight: this.inFlight,
      deadLetters: DeadLetterSender.of(settings, () => clients.producer(), this.retries.policy, this.closing),
      report: this.report,
      clients,
      control: this.partitions,
      failSession: (consumer, error) => void this.recover(consumer, error),
    };
    this.registryWait = {
      decoder,
      policy: this.retries.policy,
      heartbeatInterval: settings.heartbeatInterval,
      closing: this.closing,
      onUnavailable: (error, retry, delayMs) => this.report.registryUnavailable(error, retry, delayMs),
      onAvailable: () => this.report.connected(),
    };
    const isCurrent = (session: Session): boolean => this.lifecycle.session === session;
    this.startContext = {
      admin: () => clients.admin(),
      groupId: settings.groupId,
      control: this.partitions,
      isCurrent,
    };
  }

  /** Starts the first session; a second call, or one after close(), does nothing. */
  start(): void {
    if (this.lifecycle.phase.name !== 'idle') return;
    this.subscription.watch(
      () => this.lifecycle.consuming,
      (session) => this.resubscribe(session),
    );
    void this.run();
  }

  /** The key metrics: lag per partition, records/s since the last call, errors, rebalances. */
  metricsSnapshot(): MetricsSnapshot {
    return this.report.snapshot(this.inFlight?.size ?? 0, this.controlState);
  }

  /** The editor sidebar's figures: unlike metricsSnapshot, reading them leaves the metrics output's rate alone. */
  sidebarFigures(): { records: number; errors: number; inFlight: number; state: ControlState } {
    return { ...this.report.counts, inFlight: this.inFlight?.size ?? 0, state: this.controlState };
  }

  /** consuming, paused or stopped, as the control messages left it (the metrics output's `state`). */
  get controlState(): ControlState {
    return this.controls.state;
  }

  /**
   * Applies one control message, after those before it. Rejects with a ControlError, having changed
   * nothing, when the message cannot be applied (see ConsumerControl).
   */
  control(command: ControlCommand): Promise<void> {
    return this.controls.apply(command);
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

  /** A close() or crash while connect(), subscribe() or run() was pending must not be undone by them. */
  private ensureCurrent(session: Session): void {
    if (this.lifecycle.session !== session) throw new Error('trigger closed while connecting');
  }

  /** One session: a new kafkajs consumer connects, subscribes and runs; a failure ends in recover(). */
  private async run(): Promise<void> {
    // While retrying, the badge keeps showing why the last session failed.
    if (this.retries.failures === 0) this.report.connecting();
    const session = newSession(this.clients.kafka, this.deliveryParts);
    const { consumer, delivery } = session;
    this.partitions.unassigned();
    this.lifecycle.enter({ name: 'connecting', session });
    this.watch(session);
    try {
      await consumer.connect();
      this.ensureCurrent(session);
      const topics = await this.subscription.topicsNow();
      this.ensureCurrent(session);
      session.topics = this.subscription.accept(topics);
      this.report.subscribed(session.topics);
      for (const group of this.subscription.groups(session.topics)) await consumer.subscribe(group);
      this.ensureCurrent(session);
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async (payload) => {
          // Unresolved, a batch whose schemas cannot be fetched is fetched again: nothing is skipped.
          if (!(await schemasLoaded(payload, this.registryWait))) return;
          const delivered = await delivery.handleBatch(fetched(payload));
          this.retries.healthy();
          this.report.batchHandled(payload.batch, delivered);
        },
      });
      this.ensureCurrent(session);
      this.lifecycle.enter({ name: 'consuming', session });
    } catch (error) {
      await this.recover(consumer, error);
    }
  }

  /** The session's kafkajs events; those of a replaced consumer are stale and ignored. */
  private watch(session: Session): void {
    const { consumer } = session;
    const current = (): boolean => this.lifecycle.session === session;
    const { GROUP_JOIN, FETCH, REBALANCING, CRASH } = consumer.events;
    consumer.on(GROUP_JOIN, ({ payload }) => {
      if (!current()) return;
      this.retries.joinedGroup();
      const assignment = assignmentOf(payload.memberAssignment, session.topics);
      session.delivery.assigned(assignment);
      this.report.assigned(assignment);
      this.partitions.assigned(consumer, assignment);
      const start = freshStart(this.settings, this.partitions.assignment, this.subscription.topicsAtStart);
      if (start)
        startFreshPartitions(session, start, this.startContext).catch((error) =>
          this.recover(consumer, error),
        );
      // Connected means fetching from a fixed start: a new group's start ("newest") is looked up
      // after joining, and records produced before that are, by Kafka's rules, not "new". A member
      // with no partitions (more members than partitions) never fetches.
      session.awaitingFetch = partitionCount(assignment) > 0;
      if (!session.awaitingFetch || this.partitions.paused) this.report.connected();
    });
    consumer.on(FETCH, () => {
      if (!current() || !session.awaitingFetch || session.startLookUps > 0) return;
      session.awaitingFetch = false;
      this.report.connected();
    });
    consumer.on(REBALANCING, () => {
      if (current()) this.report.rebalancing();
    });
    consumer.on(CRASH, ({ payload }) => void this.recover(consumer, payload.error));
  }

  /** Throws the failed consumer away and, unless it was replaced or the trigger closed, retries after a backoff. */
  private async recover(consumer: Consumer, error: unknown): Promise<void> {
    const session = this.lifecycle.sessionOf(consumer);
    if (!session) {
      await consumer.disconnect().catch(() => undefined);
      return;
    }
    void session.delivery.abandon?.();
    // A pattern that matches nothing yet is checked again at least every refresh interval.
    const backoffMs = this.retries.failed();
    const refreshMs = this.settings.topicRefreshInterval * 1000;
    const delayMs = error instanceof NoMatchingTopics ? Math.min(backoffMs, refreshMs) : backoffMs;
    const backingOff: Phase & { name: 'backing-off' } = { name: 'backing-off', timer: undefined };
    this.lifecycle.enter(backingOff);
    await consumer.disconnect().catch(() => undefined);
    if (this.lifecycle.phase !== backingOff) return;
    backingOff.timer = setTimeout(() => void this.run(), delayMs);
    this.report.retrying(error, this.retries.failures, delayMs);
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
    this.report.rebalancing(false);
    await leaving.catch(() => undefined);
    // A close() or stop meanwhile has waited for the same leaving and must not be undone.
    if (this.lifecycle.phase === resubscribing) await this.run();
  }
}
