import type { NodeAPI, NodeMessage } from 'node-red';
import type { FlowOutcome, Settle } from '../delivery/delivery';
import { flowLifecycleOf, type FlowLifecycle } from './flow-lifecycle';

interface Tracked {
  /** The flows' run it was sent in (FlowLifecycle.mark()). */
  run: number;
  /** Sends not yet received: a node may call done() before the next node has received its message. */
  inTransit: number;
  /** Receptions not yet finished with done(). */
  active: number;
  error: unknown;
  /** Its place in the order of sending: see failOverdue(). */
  seq: number;
  timeoutMs: number;
  deadline: number;
  settle: Settle;
  settled: boolean;
  /** Msgs whose done() came from a node after it had sent this one on: they finish with it (see onComplete). */
  heirs: Heir[] | undefined;
}

/** A msg that finishes when the msg a node sent after receiving it finishes. */
interface Heir {
  msgid: string;
  entry: Tracked;
  error: unknown;
}

/** The node that sends tracked msgs (a kafka-trigger). */
interface Sender {
  send(msg: NodeMessage): void;
}

/** The parts of a Node-RED node the hooks look at; the underscored ones are the runtime's own. */
interface ReceivingNode {
  _expectedDoneCount?: number;
  _inputCallback?: unknown;
  _inputCallbacks?: unknown;
}

interface HookEvent {
  msg: NodeMessage;
  error?: unknown;
  source?: { node?: object };
  destination?: { id?: string; node?: ReceivingNode };
  /** onComplete's node: the one that called done(). */
  node?: { node?: object };
}

const HOOK_SUFFIX = '.kafkaTriggerCompletion';
/** The outcome of a msg that finished without error, shared: one is settled per record. */
const FINISHED: FlowOutcome = Object.freeze({});
const SWEEP_MS = 1000;
/**
 * Marks kept on Node-RED's own objects rather than in WeakMaps, which cost far more per msg: on a
 * received msg its _msgid, for a node that deletes it (split does) before done(); on a node the
 * last tracked msg it sent.
 */
const RECEIVED_ID = Symbol('kafka-trigger received _msgid');
const LAST_SENT = Symbol('kafka-trigger last tracked msg sent');
type Marked = { [RECEIVED_ID]?: unknown; [LAST_SENT]?: unknown };

/**
 * Tells when the flow has finished with a message: every node that received it, or a clone of it
 * (clones keep the _msgid), has called done(). Built on Node-RED's message hooks, which are only
 * installed while some trigger uses complete delivery, and cost one Map lookup per event.
 * A message that a flow stop keeps from a node (routed to a node that is gone, or delivered to one
 * that was closed) was dropped: the flow never had it.
 */
export class FlowCompletion {
  private readonly tracked = new Map<string, Tracked>();
  private users = 0;
  private sweeper: NodeJS.Timeout | undefined;
  private sent = 0;
  /** The earliest sent of the msgs the flow finished since the last sweep. */
  private earliestFinished = Infinity;

  constructor(
    private readonly hooks: NodeAPI['hooks'],
    private readonly lifecycle: FlowLifecycle,
    private readonly isActive: (id: string) => boolean,
  ) {}

  acquire(): void {
    if (this.users++ === 0) this.install();
  }

  release(): void {
    if (--this.users === 0) this.uninstall();
  }

  /** Sends `msg` from `sender` and calls `settle` when the flow is done with it, or failed after `timeoutMs`. */
  sendTracked(
    msg: NodeMessage & { _msgid: string },
    sender: Sender,
    timeoutMs: number,
    settle: Settle,
  ): void {
    const entry: Tracked = {
      run: this.lifecycle.mark(),
      inTransit: 0,
      active: 0,
      error: undefined,
      seq: (this.sent += 1),
      timeoutMs,
      deadline: Date.now() + timeoutMs,
      settle,
      // Every field from the start: one set later would grow each entry (an allocation per msg).
      settled: false,
      heirs: undefined,
    };
    this.tracked.set(msg._msgid, entry);
    try {
      sender.send(msg);
    } catch (error) {
      // Node-RED could not send it (e.g. too deeply nested to clone): the flow failed with it.
      return this.finish(msg._msgid, entry, error);
    }
    this.settleIfDone(msg._msgid, entry);
  }

  private install(): void {
    // Node-RED routes each send event right after onSend, in the same call: a send to a node that a
    // stop took away is seen here, without a preRoute hook costing every msg another hook call.
    this.hooks.add(`onSend${HOOK_SUFFIX}`, (events: HookEvent[]) => {
      let sentBeforeStop = false;
      for (const event of events) {
        const entry = this.entryFor(event);
        if (!entry) continue;
        entry.inTransit += 1;
        const source = event.source?.node as Marked | undefined;
        if (source) source[LAST_SENT] = entry;
        if (this.stoppedSince(entry)) sentBeforeStop = true;
      }
      if (!sentBeforeStop) return;
      for (const event of events) {
        const entry = this.entryFor(event);
        const id = event.destination?.id;
        if (entry && id !== undefined && this.stoppedSince(entry) && !this.isActive(id))
          this.drop(event, entry);
      }
    });
    this.hooks.add(`onReceive${HOOK_SUFFIX}`, (event: HookEvent) => {
      const entry = this.entryFor(event);
      if (!entry) return;
      // A closed node has no input handler left: the runtime hands it the message all the same.
      const node = event.destination?.node;
      if (this.stoppedSince(entry) && node && !node._inputCallback && !node._inputCallbacks)
        return this.drop(event, entry);
      // Link nodes hand messages over without a send event, hence the floor.
      if (entry.inTransit > 0) entry.inTransit -= 1;
      entry.active += 1;
      (event.msg as Marked)[RECEIVED_ID] = event.msg._msgid;
    });
    this.hooks.add(`postReceive${HOOK_SUFFIX}`, (event: HookEvent) => {
      const msgid = this.receivedIdOf(event);
      const entry = msgid === undefined ? undefined : this.tracked.get(msgid);
      // A node whose input handler takes no done() (switch in Node-RED 4.1, many older nodes) never
      // reports completion: it is finished once its handler has returned, having sent what it sends.
      if (!entry || reportsCompletion(event)) return;
      entry.active -= 1;
      this.settleIfDone(msgid!, entry);
    });
    this.hooks.add(`onComplete${HOOK_SUFFIX}`, (event: HookEvent) => {
      const msgid = this.receivedIdOf(event);
      const entry = msgid === undefined ? undefined : this.tracked.get(msgid);
      if (!entry) return;
      // A join sends the joined msg, with the _msgid of its group's last record, and only then calls
      // done() for the group: the earlier records live on in that msg and finish when it does.
      const heir = (event.node?.node as Marked | undefined)?.[LAST_SENT] as Tracked | undefined;
      if (heir && !heir.settled && heir.seq > entry.seq) {
        (heir.heirs ??= []).push({ msgid: msgid!, entry, error: event.error });
        return;
      }
      this.completed(msgid!, entry, event.error);
    });
    this.sweeper = setInterval(() => this.failOverdue(), SWEEP_MS);
    this.sweeper.unref();
  }

  private uninstall(): void {
    this.hooks.remove(`*${HOOK_SUFFIX}`);
    clearInterval(this.sweeper);
    for (const [msgid, entry] of this.tracked) this.resolve(msgid, entry, { dropped: true });
  }

  private stoppedSince(entry: Tracked): boolean {
    return this.lifecycle.stops !== entry.run;
  }

  private drop(event: HookEvent, entry: Tracked): void {
    this.resolve(event.msg._msgid as string, entry, { dropped: true });
  }

  private receivedIdOf(event: HookEvent): string | undefined {
    const msg = event.msg;
    return (msg?._msgid ?? (msg as Marked | undefined)?.[RECEIVED_ID]) as string | undefined;
  }

  private entryFor(event: HookEvent): Tracked | undefined {
    const msgid = event.msg?._msgid;
    return msgid === undefined ? undefined : this.tracked.get(msgid);
  }

  /** One node that received the msg called done(). */
  private completed(msgid: string, entry: Tracked, error: unknown): void {
    entry.active -= 1;
    if (error !== undefined && entry.error === undefined) entry.error = error;
    this.settleIfDone(msgid, entry);
  }

  private settleIfDone(msgid: string, entry: Tracked): void {
    if (entry.inTransit > 0 || entry.active > 0) return;
    if (entry.seq < this.earliestFinished) this.earliestFinished = entry.seq;
    this.finish(msgid, entry, entry.error);
  }

  /**
   * Fails the msgs the flow has not finished within their timeout. The time starts when a msg is
   * sent, and again whenever the flow finishes one sent before it: a queue the flow works through
   * (a delay node limiting the rate, say) is not stuck, however long it is.
   */
  private failOverdue(): void {
    const now = Date.now();
    const earliestFinished = this.earliestFinished;
    this.earliestFinished = Infinity;
    for (const [msgid, entry] of this.tracked) {
      if (entry.seq > earliestFinished) entry.deadline = Math.max(entry.deadline, now + entry.timeoutMs);
      if (entry.deadline > now) continue;
      // Lost on its way through a stop (a node closed while it held the message, say): not a failure.
      if (this.stoppedSince(entry)) this.resolve(msgid, entry, { dropped: true });
      else this.finish(msgid, entry, new Error('the flow did not finish with the message in time'));
    }
  }

  private finish(msgid: string, entry: Tracked, error: unknown): void {
    this.resolve(msgid, entry, error === undefined ? FINISHED : { error });
  }

  private resolve(msgid: string, entry: Tracked, outcome: FlowOutcome): void {
    this.tracked.delete(msgid);
    entry.settled = true;
    entry.settle(outcome);
    // The msgs that live on in this one share its outcome: dropped with it, failed with it.
    if (entry.heirs === undefined) return;
    for (const heir of entry.heirs) {
      if (heir.entry.settled) continue;
      if (outcome.dropped) this.resolve(heir.msgid, heir.entry, outcome);
      else this.completed(heir.msgid, heir.entry, heir.error ?? outcome.error);
    }
  }
}

/** Whether the receiving node will call done(); Node-RED counts the input handlers that take it. */
function reportsCompletion(event: HookEvent): boolean {
  return (event.destination?.node?._expectedDoneCount ?? 0) > 0;
}

const byRuntime = new WeakMap<NodeAPI['hooks'], FlowCompletion>();

/** The one FlowCompletion of a Node-RED runtime. */
export function flowCompletionOf(RED: NodeAPI): FlowCompletion {
  let completion = byRuntime.get(RED.hooks);
  if (!completion) {
    const isActive = (id: string) => !!RED.nodes.getNode(id);
    completion = new FlowCompletion(RED.hooks, flowLifecycleOf(RED), isActive);
    byRuntime.set(RED.hooks, completion);
  }
  return completion;
}
