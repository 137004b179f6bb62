import type { KafkaMessage } from 'kafkajs';
import type { MemberAssignment } from '../consumer/assignment';
import type { BatchDelivery, FetchedBatch } from './delivery';

/** A partition's records held back for more, since `since` (ms), until `timer` sends them. */
interface Held {
  records: KafkaMessage[];
  since: number;
  timer: NodeJS.Timeout;
}

/**
 * Batch output with a wait: full batches go on to the delivery at once, and the partial one at a
 * fetch's end waits up to `maxWait` ms for the next fetches of its partition to fill it. Held
 * records are resolved, so fetching moves on, but not committed: after a rebalance, a crash or a
 * close they are simply fetched again, from the committed offset, by whoever owns the partition.
 */
export class BatchWait implements BatchDelivery {
  private readonly held = new Map<string, Held>();
  /** Per partition, the work under way, so a timer's send and a fetch's never overlap. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Moves on every assignment: a send begun before it is stale. */
  private generation = 0;
  private finished = false;
  /** Moves on whenever held records are dropped (seek, assignment, close): a send begun before must not hold them again. */
  private drops = 0;

  constructor(
    private readonly delivery: BatchDelivery,
    private readonly maxSize: number,
    private readonly maxWait: number,
    /** Told how many records a timer's send handed over, since no fetch reports those. */
    private readonly onTimerSend: (records: number) => void,
  ) {}

  handleBatch(batch: FetchedBatch): Promise<number> {
    return this.serially(`${batch.topic}:${batch.partition}`, () => this.takeFetch(batch));
  }

  assigned(assignment: MemberAssignment, memberId?: string): void {
    // kafkajs starts every partition it assigns from the committed offset, which is before anything held.
    this.generation += 1;
    this.dropHeld();
    this.delivery.assigned(assignment, memberId);
  }

  /** A seek moves the partition: what is held for it belongs to the old position. */
  settle(topic: string, partition: number, budgetMs: number): Promise<boolean> {
    this.dropHeld(`${topic}:${partition}`);
    return this.delivery.settle(topic, partition, budgetMs);
  }

  moveTo(topic: string, partition: number, offset: string): void {
    this.dropHeld(`${topic}:${partition}`);
    this.delivery.moveTo(topic, partition, offset);
  }

  async finish(budgetMs: number): Promise<void> {
    this.finished = true;
    this.dropHeld();
    await this.delivery.finish(budgetMs);
  }

  private async takeFetch(batch: FetchedBatch): Promise<number> {
    const key = `${batch.topic}:${batch.partition}`;
    const held = this.held.get(key);
    if (held) {
      clearTimeout(held.timer);
      this.held.delete(key);
    }
    const messages = held ? held.records.concat(batch.messages) : batch.messages;
    const full = messages.length - (messages.length % this.maxSize);
    const since = full > 0 || !held ? Date.now() : held.since;
    const holdRest = full < messages.length && since + this.maxWait > Date.now();
    const upTo = holdRest ? full : messages.length;
    const sent =
      upTo > 0 ? await this.delivery.handleBatch({ ...batch, messages: messages.slice(0, upTo) }) : 0;
    if (sent < upTo) {
      // Not taken in full (paused, moved by a seek, closing, stale): fetching goes back to the first
      // record not sent, since the held ones among them were resolved already.
      batch.resolveOffset((BigInt(messages[sent].offset) - 1n).toString());
      return sent;
    }
    if (!holdRest) return sent;
    const rest = messages.slice(full);
    batch.resolveOffset(rest[rest.length - 1].offset);
    this.hold(key, batch, rest, since, since + this.maxWait - Date.now());
    return sent;
  }

  private hold(
    key: string,
    batch: FetchedBatch,
    records: KafkaMessage[],
    since: number,
    waitMs: number,
  ): void {
    const timer = setTimeout(() => void this.sendHeld(key, batch, this.generation), waitMs);
    this.held.set(key, { records, since, timer });
  }

  /**
   * The wait is over: the held records go on as they are, unless a fetch took them first. What the
   * delivery does not take now (the trigger is paused, say) stays held, to be tried again.
   */
  private sendHeld(key: string, batch: FetchedBatch, generation: number): Promise<unknown> {
    return this.serially(key, async () => {
      const held = this.held.get(key);
      if (!held || generation !== this.generation || this.finished) return;
      this.held.delete(key);
      const drops = this.drops;
      const sent = await this.delivery.handleBatch({
        topic: batch.topic,
        partition: batch.partition,
        messages: held.records,
        // Resolved when they were held.
        resolveOffset: () => undefined,
        // Outside kafkajs's eachBatch the consumer heartbeats by itself.
        heartbeat: async () => undefined,
        isRunning: () => !this.finished,
        isStale: () => generation !== this.generation,
      });
      this.onTimerSend(sent);
      const unsent = held.records.slice(sent);
      if (unsent.length > 0 && drops === this.drops && !this.finished && !this.held.has(key))
        this.hold(key, batch, unsent, held.since, this.maxWait);
    });
  }

  /** Drops what is held for one partition (`key`), or for all. */
  private dropHeld(key?: string): void {
    this.drops += 1;
    for (const [heldKey, { timer }] of this.held) {
      if (key !== undefined && heldKey !== key) continue;
      clearTimeout(timer);
      this.held.delete(heldKey);
    }
  }

  private serially<T>(key: string, work: () => Promise<T>): Promise<T> {
    const result = (this.queues.get(key) ?? Promise.resolve()).then(work);
    const settled = result.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return result;
  }
}
