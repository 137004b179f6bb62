import type { Consumer } from 'kafkajs';
import type { BatchDelivery } from '../delivery/delivery';

/** One run of one kafkajs consumer, from its creation until it fails, is replaced or is closed. */
export interface Session {
  consumer: Consumer;
  delivery: BatchDelivery;
  /** Joined with partitions, "connected" not reported yet: that waits for the first fetch. */
  awaitingFetch: boolean;
  /** Start look-ups in progress (see StartPositions): "connected" waits for them too. */
  startLookUps: number;
  /** The topics subscribed to, sorted for a pattern (empty until subscribed). */
  topics: string[];
}

/** Where the trigger is in its life. */
export type Phase =
  | { name: 'idle' }
  | { name: 'connecting' | 'consuming'; session: Session }
  /** A session failed: the next one starts when `timer` fires. */
  | { name: 'backing-off'; timer: NodeJS.Timeout | undefined }
  /** A `/regex/` topic matches other topics now: the session leaves, and a new one subscribes at once. */
  | { name: 'resubscribing'; leaving: Promise<void> }
  /** Stopped by a control message: out of the group until a start message. */
  | { name: 'stopped' }
  | { name: 'closed' };

export type PhaseName = Phase['name'];

export const PHASES: readonly PhaseName[] = [
  'idle',
  'connecting',
  'consuming',
  'backing-off',
  'resubscribing',
  'stopped',
  'closed',
];

/**
 * The allowed transitions. Every phase but closed may close; a stop message stops any phase that
 * can still reach the group; a stopped trigger starts a new session on a start message.
 */
export const TRANSITIONS: Readonly<Record<PhaseName, readonly PhaseName[]>> = {
  idle: ['connecting', 'stopped', 'closed'],
  connecting: ['consuming', 'backing-off', 'stopped', 'closed'],
  consuming: ['backing-off', 'resubscribing', 'stopped', 'closed'],
  'backing-off': ['connecting', 'stopped', 'closed'],
  resubscribing: ['connecting', 'stopped', 'closed'],
  stopped: ['connecting', 'closed'],
  closed: [],
};

export class RefusedTransition extends Error {
  constructor(
    readonly from: PhaseName,
    readonly to: PhaseName,
  ) {
    super(`trigger consumer: no transition from ${from} to ${to}`);
    this.name = 'RefusedTransition';
  }
}

/**
 * The trigger's phase, changed only through `enter()`. A transition the table does not allow
 * throws: the orchestrator checks the phase before each change, so a refused one is a bug, and
 * going on would leave a kafkajs consumer (or a backoff timer) that no phase owns.
 */
export class Lifecycle {
  private current: Phase = { name: 'idle' };

  /** `changed` is called on every change, with the phase left and the one entered. */
  constructor(private readonly changed: (previous: Phase, next: Phase) => void = () => undefined) {}

  get phase(): Phase {
    return this.current;
  }

  /** Whether the table allows going from the current phase to `name`. */
  allows(name: PhaseName): boolean {
    return TRANSITIONS[this.current.name].includes(name);
  }

  /** Changes the phase; returns the phase left. Ends the backoff timer of a backing-off phase left. */
  enter(next: Phase): Phase {
    const previous = this.current;
    if (!this.allows(next.name)) throw new RefusedTransition(previous.name, next.name);
    if (previous.name === 'backing-off') clearTimeout(previous.timer);
    this.current = next;
    this.changed(previous, next);
    return previous;
  }

  /** The session the trigger runs now, if any. */
  get session(): Session | undefined {
    return 'session' in this.current ? this.current.session : undefined;
  }

  /** The session while it consumes (subscribed, running). */
  get consuming(): Session | undefined {
    return this.current.name === 'consuming' ? this.current.session : undefined;
  }

  /** The session of `consumer` while it is the one the trigger runs (events of a replaced one are stale). */
  sessionOf(consumer: Consumer): Session | undefined {
    const { session } = this;
    return session?.consumer === consumer ? session : undefined;
  }
}
