import type { Consumer } from 'kafkajs';

/** Tries of a commit that failed with a retriable error (the broker away, the coordinator moving). */
const COMMIT_TRIES = 5;
/** The wait before the next try, times the tries so far. */
const RETRY_STEP_MS = 500;

interface PartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Commits the newest offset of each partition with at most one request in flight, and never makes
 * the caller wait for it. kafkajs's own autoCommit awaits one OffsetCommit per batch before the
 * next fetch; on Kafka 4 brokers each takes several milliseconds (the group coordinator lingers
 * before writing), which added tens of milliseconds to every record's way into the flow.
 */
export class OffsetCommitter {
  private readonly pending = new Map<string, PartitionOffset>();
  private committing: Promise<void> | undefined;

  constructor(private readonly consumer: Consumer) {}

  /** Commits `offset` (the next one to read) for the partition, after any commit under way. */
  commit(topic: string, partition: number, offset: string): void {
    this.pending.set(`${topic}:${partition}`, { topic, partition, offset });
    this.committing ??= this.flush().finally(() => (this.committing = undefined));
  }

  /** Resolves once every offset asked for so far has been committed, refused or given up on. */
  async settled(): Promise<void> {
    while (this.committing) await this.committing;
  }

  private async flush(): Promise<void> {
    let failures = 0;
    while (this.pending.size > 0) {
      const offsets = [...this.pending.values()];
      this.pending.clear();
      try {
        await this.consumer.commitOffsets(offsets);
        failures = 0;
      } catch (error) {
        // A commit refused after a rebalance is harmless: the new owner delivers those records again.
        // One lost to a broker that is away is tried again, or the partition's last records would stay
        // uncommitted (and come again after a restart) until a newer record is committed past them.
        if (!isRetriable(error) || ++failures >= COMMIT_TRIES) {
          failures = 0;
          continue;
        }
        for (const entry of offsets) {
          const key = `${entry.topic}:${entry.partition}`;
          if (!this.pending.has(key)) this.pending.set(key, entry);
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_STEP_MS * failures));
      }
    }
  }
}

function isRetriable(error: unknown): boolean {
  return (error as { retriable?: unknown } | undefined)?.retriable === true;
}
