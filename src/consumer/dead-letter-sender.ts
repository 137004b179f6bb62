import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaMessage, Producer } from 'kafkajs';
import { retryDelay, type BackoffPolicy } from '../client/backoff';
import { deadLetterMessage } from './dead-letter';
import type { StopSignal } from './stop-signal';
import type { TriggerSettings } from '../settings/trigger-settings';

/**
 * Produces failed records to the dead-letter topic with the pooled producer, retrying with backoff
 * until one lands or the trigger closes. The retry wait is raced against `closing`, so a closing
 * trigger is not held up by it and sends nothing more.
 */
export class DeadLetterSender {
  constructor(
    private readonly topic: string,
    private readonly producer: () => Promise<Producer>,
    private readonly policy: BackoffPolicy,
    private readonly closing: StopSignal,
  ) {}

  /** The sender of a trigger with a dead-letter topic (complete delivery only); else undefined. */
  static of(
    settings: TriggerSettings,
    producer: () => Promise<Producer>,
    policy: BackoffPolicy,
    closing: StopSignal,
  ): DeadLetterSender | undefined {
    const { delivery } = settings;
    if (delivery.mode === 'handoff' || !delivery.deadLetterTopic) return undefined;
    return new DeadLetterSender(delivery.deadLetterTopic, producer, policy, closing);
  }

  /** Resolves once the record is on the dead-letter topic; rejects with the last error once closing. */
  async send(topic: string, partition: number, record: KafkaMessage, error: unknown): Promise<void> {
    const message = deadLetterMessage(topic, partition, record, error);
    for (let retry = 1; ; retry += 1) {
      try {
        const producer = await this.producer();
        await producer.send({ topic: this.topic, messages: [message] });
        return;
      } catch (sendError) {
        if (this.closing.stopped) throw sendError;
        await this.closing.race(sleep(retryDelay(retry, this.policy), true, { ref: false }));
        if (this.closing.stopped) throw sendError;
      }
    }
  }
}
