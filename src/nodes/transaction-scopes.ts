import type { NodeAPI } from 'node-red';
import { ENDED_SCOPE, type TransactionScope } from '../transactions/transaction-scope';

/**
 * Msgs that failed or were dropped whose later writes are refused, at most this many, the oldest
 * forgotten first: enough for the msgs in flight of many triggers, a bounded amount of memory.
 */
const MAX_ENDED = 10000;

interface Entry {
  scope: TransactionScope;
  /** The trigger's kafka-broker node: a transaction spans one cluster. */
  brokerId: string;
}

/**
 * The transaction each msg of an exactly-once trigger writes in, by _msgid, which the nodes between
 * the trigger and a kafka-produce node keep (function, change and switch nodes do): a kafka-produce
 * node finds a msg's transaction here. An entry lives from the send until the flow is done with the msg.
 */
export class TransactionScopes {
  private readonly scopes = new Map<string, Entry>();
  /**
   * Msgs settled as failed or dropped (a complete_timeout, a flow stop) can still reach a kafka-produce
   * node later: their writes are refused rather than written outside any transaction, since their
   * records are dead-lettered or delivered again.
   */
  private readonly ended = new Map<string, Entry>();

  enter(msgid: string, scope: TransactionScope, brokerId: string): void {
    this.scopes.set(msgid, { scope, brokerId });
  }

  /** The flow is done with the msg; `finished` false when it failed or was dropped. */
  leave(msgid: string, finished: boolean): void {
    const entry = this.scopes.get(msgid);
    this.scopes.delete(msgid);
    if (finished || !entry) return;
    this.ended.set(msgid, { scope: ENDED_SCOPE, brokerId: entry.brokerId });
    if (this.ended.size > MAX_ENDED) this.ended.delete(this.ended.keys().next().value!);
  }

  /**
   * The msg's transaction, for a kafka-produce node of the same kafka-broker node; one of another
   * broker node writes to another cluster, outside the transaction (at least once).
   */
  of(msg: { _msgid?: unknown }, brokerId: string): TransactionScope | undefined {
    if (typeof msg._msgid !== 'string') return undefined;
    const entry = this.scopes.get(msg._msgid) ?? this.ended.get(msg._msgid);
    return entry?.brokerId === brokerId ? entry.scope : undefined;
  }
}

const byRuntime = new WeakMap<NodeAPI['hooks'], TransactionScopes>();

/** The one TransactionScopes of a Node-RED runtime. */
export function transactionScopesOf(RED: NodeAPI): TransactionScopes {
  let scopes = byRuntime.get(RED.hooks);
  if (!scopes) byRuntime.set(RED.hooks, (scopes = new TransactionScopes()));
  return scopes;
}
