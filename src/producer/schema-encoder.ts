import { setTimeout as sleep } from 'node:timers/promises';
import { retryDelay, type BackoffPolicy } from '../client/backoff';
import { RegistryUnavailable, type SchemaRegistryClient } from '../formats/schema-registry';

/** Why an encoding attempt is still waiting: reported once per failed attempt. */
export interface EncoderRetry {
  error: unknown;
  attempt: number;
  delayMs: number;
}

export interface SchemaEncoderOptions {
  registry: SchemaRegistryClient;
  /** The subject of a topic's values (the node's schema_subject, or `<topic>-value`). */
  subjectOf: (topic: string) => string;
  backoff: BackoffPolicy;
  onRetry: (retry: EncoderRetry) => void;
}

/**
 * Encodes msg payloads with their subject's latest schema, one after another in arrival order so
 * that the records reach the writer in that order. While the registry is away a payload waits, with
 * the usual backoff, until its deadline; a null payload stays a tombstone.
 */
export class SchemaEncoder {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly closing = new AbortController();

  constructor(private readonly options: SchemaEncoderOptions) {}

  encode(topic: string, payload: unknown, deadline: number): Promise<Buffer | null> {
    const encoded = this.tail.then(() =>
      payload === null ? null : this.encodeBefore(topic, payload, deadline),
    );
    this.tail = encoded.catch(() => undefined);
    return encoded;
  }

  /** Ends the waits: payloads still waiting for the registry fail with its last error. */
  close(): void {
    this.closing.abort();
  }

  private async encodeBefore(topic: string, payload: unknown, deadline: number): Promise<Buffer> {
    const { registry, subjectOf, backoff, onRetry } = this.options;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await registry.encode(subjectOf(topic), payload);
      } catch (error) {
        if (!(error instanceof RegistryUnavailable)) throw error;
        const delayMs = Math.min(retryDelay(attempt, backoff), deadline - Date.now());
        if (this.closing.signal.aborted || delayMs <= 0) throw error;
        onRetry({ error, attempt, delayMs });
        await sleep(delayMs, undefined, { ref: false, signal: this.closing.signal }).catch(() => {
          throw error;
        });
      }
    }
  }
}
