import type { Admin } from 'kafkajs';
import type { TriggerSettings } from '../settings/trigger-settings';
import type { ConsumerState, ControlState } from './consumer-state';
import { ControlError, type ControlCommand } from './control-message';
import type { Lifecycle } from './lifecycle';
import type { PartitionControl } from './partition-control';
import { seek } from './seek';

/** What control messages act on: the trigger's lifecycle and partitions, and its badge. */
export interface ControlHost {
  lifecycle: Lifecycle;
  partitions: PartitionControl;
  settings: TriggerSettings;
  /** How long a stop waits for records still in the flow. */
  drainMs: number;
  admin(): Promise<Admin>;
  onState(state: ConsumerState): void;
  /** Reports connected (or paused) with the partitions and lag. */
  reportConnected(): void;
  /** Starts a new session, from stopped. */
  startSession(): void;
}

/**
 * Control messages, one after another. pause, resume, stop and start are remembered in any phase (a
 * replaced consumer is paused again as it joins; a stopped trigger stays out of the group); seek
 * needs partitions: it fails while the trigger has none (connecting, backing off, stopped).
 */
export class ConsumerControl {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: ControlHost) {}

  /** consuming, paused or stopped, as the control messages left it (the metrics output's `state`). */
  get state(): ControlState {
    if (this.host.lifecycle.phase.name === 'stopped') return 'stopped';
    return this.host.partitions.paused ? 'paused' : 'consuming';
  }

  /** Applies `command` after those before it; rejects with a ControlError, having changed nothing, when it cannot. */
  apply(command: ControlCommand): Promise<void> {
    const applied = this.queue.then(() => this.applyNow(command));
    this.queue = applied.catch(() => undefined);
    return applied;
  }

  private async applyNow(command: ControlCommand): Promise<void> {
    const { lifecycle, partitions, settings } = this.host;
    const { phase } = lifecycle;
    if (phase.name === 'closed') throw new ControlError('control-closed');
    switch (command.action) {
      case 'pause':
      case 'resume':
        partitions.setPaused(lifecycle.session?.consumer, command.action === 'pause');
        return this.report();
      case 'stop':
        return this.stop();
      case 'start':
        if (phase.name === 'stopped') this.host.startSession();
        else this.report();
        return;
      case 'seek': {
        if (phase.name === 'stopped') throw new ControlError('seek-stopped');
        const { delivery } = settings;
        await seek(command.target, {
          admin: () => this.host.admin(),
          control: partitions,
          session: lifecycle.consuming,
          isCurrent: (session) => lifecycle.session === session,
          settleMs: (delivery.mode === 'handoff' ? 0 : delivery.completeTimeout) + 5000,
        });
        return this.report();
      }
    }
  }

  /** Commits, leaves the group (the close path) and stays out of it until a start message. */
  private async stop(): Promise<void> {
    const { lifecycle, partitions } = this.host;
    if (lifecycle.phase.name === 'stopped') return this.host.onState({ kind: 'stopped' });
    const previous = lifecycle.enter({ name: 'stopped' });
    partitions.unassigned();
    this.host.onState({ kind: 'stopped' });
    if ('session' in previous) {
      await previous.session.delivery.finish(this.host.drainMs);
      await previous.session.consumer.disconnect().catch(() => undefined);
    }
  }

  /** The badge after a control message: paused, stopped, or what the consumer is doing. */
  private report(): void {
    const { lifecycle, partitions } = this.host;
    if (lifecycle.phase.name === 'stopped') return this.host.onState({ kind: 'stopped' });
    if (lifecycle.consuming && partitions.hasPartitions) return this.host.reportConnected();
    if (partitions.paused) return this.host.onState({ kind: 'paused' });
  }
}
