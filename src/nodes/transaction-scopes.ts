import type { NodeAPI } from 'node-red';
import type { TransactionScope } from '../transactions/partition-transaction';

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

  enter(msgid: string, scope: TransactionScope, brokerId: string): void {
    this.scopes.set(msgid, { scope, brokerId });
  }

  leave(msgid: string): void {
    this.scopes.delete(msgid);
  }

  /**
   * The msg's transaction, for a kafka-produce node of the same kafka-broker node; one of another
   * broker node writes to another cluster, outside the transaction (at least once).
   */
  of(msg: { _msgid?: unknown }, brokerId: string): TransactionScope | undefined {
    const entry = typeof msg._msgid === 'string' ? this.scopes.get(msg._msgid) : undefined;
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
