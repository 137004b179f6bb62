import type { Kafka, Producer, Transaction } from 'kafkajs';
import type { PartitionChoices } from '../producer/partition-choices';

export interface TransactionalProducerOptions {
  kafka: Kafka;
  transactionalId: string;
  partitions: PartitionChoices;
  /** Milliseconds the broker lets a transaction stay open before it aborts it. */
  transactionTimeout: number;
}

/** The producer was disposed of while it started: nothing it began counts. */
export class ProducerDisposed extends Error {
  constructor() {
    super('the transactional producer was closed');
    this.name = 'ProducerDisposed';
  }
}

/**
 * One input partition's transactional producer. Starting it initialises its transactional id,
 * which fences the id's previous user. Once disposed of, it starts nothing more: a start under way
 * then disconnects what it connected, so that a closed trigger never fences the partition's new owner.
 */
export class TransactionalProducer {
  private producer: Producer;
  private disposed = false;

  constructor(private readonly options: TransactionalProducerOptions) {
    this.producer = this.create();
  }

  /** Connects and opens the first transaction (kafkajs initialises the id on the first). */
  async start(): Promise<Transaction> {
    const producer = this.producer;
    await producer.connect();
    return this.guarded(producer, producer.transaction());
  }

  /** Opens the next transaction. */
  next(): Promise<Transaction> {
    return this.guarded(this.producer, this.producer.transaction());
  }

  /**
   * Replaces the producer after a refused request: kafkajs counted the refused records' sequence
   * numbers all the same, so every later request would be refused as out of order. A new producer
   * bumps the id's epoch and numbers records from 0.
   */
  async renew(): Promise<Transaction> {
    const previous = this.producer;
    this.producer = this.create();
    await previous.disconnect().catch(() => undefined);
    return this.start();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.producer.disconnect();
  }

  private async guarded(producer: Producer, opening: Promise<Transaction>): Promise<Transaction> {
    const transaction = await opening;
    if (!this.disposed) return transaction;
    await producer.disconnect().catch(() => undefined);
    throw new ProducerDisposed();
  }

  private create(): Producer {
    const { kafka, transactionalId, partitions, transactionTimeout } = this.options;
    return kafka.producer({
      transactionalId,
      maxInFlightRequests: 1,
      transactionTimeout,
      createPartitioner: partitions.createPartitioner,
      allowAutoTopicCreation: false,
    });
  }
}
