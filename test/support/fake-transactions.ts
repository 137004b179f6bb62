// A fake kafkajs client for exactly-once delivery's unit tests: transactional producers whose every
// step (connect, transaction, sendOffsets, commit, abort, disconnect) the test can hold or fail,
// and whose requests and offsets it reads back. fake-kafka.ts's admin answers the offset look-ups.
import type { Admin, Kafka, Offsets, ProducerBatch, ProducerConfig, RecordMetadata } from 'kafkajs';
import { FakeAdmin, okAnswer } from './fake-kafka';

export type TransactionStep = 'connect' | 'transaction' | 'sendOffsets' | 'commit' | 'abort' | 'disconnect';

type SentOffsets = Offsets & { consumerGroupId: string };

/** One transaction of a FakeTransactionalProducer; its writes are the producer's requests. */
export class FakeTransaction {
  private active = true;

  constructor(private readonly producer: FakeTransactionalProducer) {}

  isActive(): boolean {
    return this.active;
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    this.producer.requests.push(batch);
    return this.producer.answer(batch);
  }

  async sendOffsets(offsets: SentOffsets): Promise<void> {
    this.producer.offsets.push(offsets);
    await this.producer.step('sendOffsets');
  }

  async commit(): Promise<void> {
    this.active = false;
    await this.producer.step('commit');
  }

  async abort(): Promise<void> {
    this.active = false;
    await this.producer.step('abort');
  }
}

/**
 * A transactional producer: `log` lists its steps in order, `requests` its writes and `offsets` what
 * it sent with sendOffsets. A step in `failures` rejects; one held waits until released.
 */
export class FakeTransactionalProducer {
  readonly log: TransactionStep[] = [];
  readonly requests: ProducerBatch[] = [];
  readonly offsets: SentOffsets[] = [];
  readonly failures: Partial<Record<TransactionStep, Error>> = {};
  answer: (batch: ProducerBatch) => Promise<RecordMetadata[]> = async (batch) => okAnswer(batch);
  private readonly held = new Set<TransactionStep>();
  private readonly waiting: { step: TransactionStep; go: () => void }[] = [];

  constructor(readonly config: ProducerConfig) {}

  async connect(): Promise<void> {
    await this.step('connect');
  }

  async disconnect(): Promise<void> {
    await this.step('disconnect');
  }

  /** kafkajs initialises the transactional id (InitProducerId) in the first transaction(). */
  async transaction(): Promise<FakeTransaction> {
    await this.step('transaction');
    return new FakeTransaction(this);
  }

  hold(step: TransactionStep): void {
    this.held.add(step);
  }

  /** Lets the held `step` go on, those waiting now and later ones. */
  release(step: TransactionStep): void {
    this.held.delete(step);
    for (const entry of this.waiting.filter((waiting) => waiting.step === step)) {
      this.waiting.splice(this.waiting.indexOf(entry), 1);
      entry.go();
    }
  }

  /** The offsets sent, as `topic/partition@offset` for group `group`. */
  get sentOffsets(): string[] {
    return this.offsets.flatMap(({ consumerGroupId, topics }) =>
      topics.flatMap(({ topic, partitions }) =>
        partitions.map(({ partition, offset }) => `${consumerGroupId}:${topic}/${partition}@${offset}`),
      ),
    );
  }

  /** The values of each request, in order. */
  get requestValues(): string[][] {
    return this.requests.map((batch) =>
      (batch.topicMessages ?? []).flatMap((topic) => topic.messages.map((m) => String(m.value))),
    );
  }

  async step(step: TransactionStep): Promise<void> {
    this.log.push(step);
    if (this.held.has(step)) await new Promise<void>((go) => this.waiting.push({ step, go }));
    const failure = this.failures[step];
    if (failure) throw failure;
  }
}

export interface FakeTransactionalKafka {
  kafka: Kafka;
  /** Every producer made, in order. */
  producers: FakeTransactionalProducer[];
  /** The last producer made for `<group>/<topic>/<partition>`. */
  producerOf(transactionalId: string): FakeTransactionalProducer;
  admin: FakeAdmin;
}

/** A client whose producers are transactional fakes, over `admin`'s cluster; each fails the steps in `failures`. */
export function fakeTransactionalKafka(
  admin = new FakeAdmin(),
  failures: Partial<Record<TransactionStep, Error>> = {},
): FakeTransactionalKafka {
  const producers: FakeTransactionalProducer[] = [];
  const kafka = {
    producer: (config: ProducerConfig) => {
      const producer = new FakeTransactionalProducer(config);
      Object.assign(producer.failures, failures);
      producers.push(producer);
      return producer;
    },
    admin: () => admin as unknown as Admin,
  } as unknown as Kafka;
  const producerOf = (id: string) => {
    const producer = producers.filter((made) => made.config.transactionalId === id).pop();
    if (!producer) throw new Error(`no producer for ${id}`);
    return producer;
  };
  return { kafka, producers, producerOf, admin };
}

/** A broker's refusal of a record for what it is; kafkajs gives its type on the error. */
export function refusal(type: string): Error {
  return Object.assign(new Error(`refused: ${type}`), { type });
}
