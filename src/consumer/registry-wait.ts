import { setTimeout as sleep } from 'node:timers/promises';
import type { EachBatchPayload } from 'kafkajs';
import { retryDelay, type BackoffPolicy } from '../client/backoff';
import type { RecordDecoder } from '../formats/record-decoder';
import type { StopSignal } from './stop-signal';

export interface RegistryWait {
  decoder: RecordDecoder;
  policy: BackoffPolicy;
  heartbeatInterval: number;
  closing: StopSignal;
  /** A failed fetch of the schemas; `retry` counts them for this batch, from 1. */
  onUnavailable(error: unknown, retry: number, delayMs: number): void;
  /** The schemas loaded after failures. */
  onAvailable(): void;
}

/**
 * Fetches the schemas the batch names, waiting out a registry outage with the usual backoff while
 * heartbeats keep the group membership; false once the batch is no longer wanted.
 */
export async function schemasLoaded(payload: EachBatchPayload, wait: RegistryWait): Promise<boolean> {
  const { batch } = payload;
  for (let retry = 1; ; retry += 1) {
    try {
      await wait.decoder.prepare(batch.messages);
      if (retry > 1) wait.onAvailable();
      return true;
    } catch (error) {
      const delayMs = retryDelay(retry, wait.policy);
      wait.onUnavailable(error, retry, delayMs);
      const until = Date.now() + delayMs;
      while (Date.now() < until) {
        const slice = Math.min(until - Date.now(), wait.heartbeatInterval);
        await wait.closing.race(sleep(slice, true, { ref: false }));
        if (wait.closing.stopped || !payload.isRunning() || payload.isStale()) return false;
        await payload.heartbeat();
      }
    }
  }
}
