import type { KafkaMessage } from 'kafkajs';
import type { MemberAssignment } from './assignment';
import type { BatchDelivery, FetchedBatch } from './batch-delivery';

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
export class PartialBatches implements BatchDelivery {
  private readonly held = new Map<string, Held>();
  /** Per partition, the work under way, so a timer's send and a fetch's never overlap. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Moves on every assignment: a send begun before it is stale. */
  private generation = 0;
  private finished = false;

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

  assigned(assignment: MemberAssignment): void {
    // kafkajs starts every partition it assigns from the committed offset, which is before anything held.
    this.generation += 1;
    this.dropHeld();
    this.delivery.assigned(assignment);
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
    const sent =
      full > 0 ? await this.delivery.handleBatch({ ...batch, messages: messages.slice(0, full) }) : 0;
    // A fetch the delivery did not take in full (closing, stale) leaves the rest to be fetched again.
    if (sent < full || full === messages.length) return sent;
    const rest = messages.slice(full);
    const since = full > 0 || !held ? Date.now() : held.since;
    const waitLeft = since + this.maxWait - Date.now();
    if (waitLeft <= 0) return sent + (await this.delivery.handleBatch({ ...batch, messages: rest }));
    batch.resolveOffset(rest[rest.length - 1]!.offset);
    const timer = setTimeout(() => void this.sendHeld(key, batch, this.generation), waitLeft);
    this.held.set(key, { records: rest, since, timer });
    return sent;
  }

  /** The wait is over: the held records go on as they are, unless a fetch took them first. */
  private sendHeld(key: string, batch: FetchedBatch, generation: number): Promise<unknown> {
    return this.serially(key, async () => {
      const held = this.held.get(key);
      if (!held || generation !== this.generation || this.finished) return;
      this.held.delete(key);
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
    });
  }

  /** Drops what is held for one partition (`key`), or for all. */
  private dropHeld(key?: string): void {
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
