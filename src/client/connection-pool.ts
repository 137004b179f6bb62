import type { Admin, Kafka, Producer } from 'kafkajs';
import { PartitionChoices } from '../producer/partition-choices';

/**
 * What a node gets from its broker node's pool. Consumers stay one per trigger (Kafka's groups
 * need them); everything else goes through the one admin client and the one producer.
 */
export interface PooledClients {
  /** The kafkajs client, for this node's own consumer. */
  readonly kafka: Kafka;
  /** The pool's admin client, connected. Do not disconnect it: the pool does that. */
  admin(): Promise<Admin>;
  /** The pool's producer, connected. Do not disconnect it: the pool does that. */
  producer(): Promise<Producer>;
  /**
   * Connects the producer again if its connections dropped (kafkajs connects at most once at a
   * time here, whatever the number of writers asking).
   */
  reconnectProducer(): Promise<void>;
  /** The partition the pooled producer's partitioner gave a message it sent. */
  readonly partitions: PartitionChoices;
}

interface Opened {
  kafka: Kafka;
  admin: Promise<Admin> | undefined;
  producer: Producer | undefined;
  producerConnect: Promise<void> | undefined;
  partitions: PartitionChoices;
}

/**
 * One connection to a cluster, shared by every node of one kafka-broker node, the way Node-RED's
 * MQTT broker node shares its client: opened on the first user, closed when the last one leaves or
 * the broker node closes. kafkajs takes acks and compression per send, so one producer serves
 * kafka-produce nodes of any settings (but `idempotent`: such a node has its own, see
 * idempotent-producer), and one admin client every look-up.
 */
export class ConnectionPool {
  private opened: Opened | undefined;
  private readonly users = new Set<string>();
  private closing = false;
  private lastLeft: (() => void) | undefined;

  constructor(private readonly create: () => Kafka) {}

  get userCount(): number {
    return this.users.size;
  }

  /** Registers a user and hands it the pooled clients (connected on first use). */
  acquire(userId: string): PooledClients {
    this.users.add(userId);
    const opened = (this.opened ??= {
      kafka: this.create(),
      admin: undefined,
      producer: undefined,
      producerConnect: undefined,
      partitions: new PartitionChoices(),
    });
    return {
      kafka: opened.kafka,
      partitions: opened.partitions,
      admin: () => this.admin(opened),
      producer: async () => {
        const producer = this.producerOf(opened);
        await this.connectProducer(opened, producer);
        return producer;
      },
      reconnectProducer: () => this.connectProducer(opened, this.producerOf(opened)),
    };
  }

  /** Unregisters a user; the last one out disconnects the pooled clients. */
  async release(userId: string): Promise<void> {
    if (!this.users.delete(userId) || this.users.size > 0) return;
    this.lastLeft?.();
    await this.disconnect();
  }

  /**
   * The broker node's close: Node-RED closes its users at the same time, and they may still need
   * the producer (dead letters) while they finish, so this waits for them up to `waitMs`.
   */
  async close(waitMs: number): Promise<void> {
    this.closing = true;
    if (this.users.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.lastLeft = resolve;
        timer = setTimeout(resolve, waitMs);
      });
      clearTimeout(timer);
    }
    await this.disconnect();
  }

  private admin(opened: Opened): Promise<Admin> {
    if (this.opened !== opened || this.closing) return Promise.reject(new Error('the connection is closed'));
    opened.admin ??= (async () => {
      const admin = opened.kafka.admin();
      try {
        await admin.connect();
        return admin;
      } catch (error) {
        opened.admin = undefined;
        throw error;
      }
    })();
    return opened.admin;
  }

  private producerOf(opened: Opened): Producer {
    return (opened.producer ??= opened.kafka.producer({
      createPartitioner: opened.partitions.createPartitioner,
      // A topic is created on purpose, with its partitions and retention, not by a typo in a flow.
      allowAutoTopicCreation: false,
    }));
  }

  private connectProducer(opened: Opened, producer: Producer): Promise<void> {
    if (this.opened !== opened) return Promise.reject(new Error('the connection is closed'));
    opened.producerConnect ??= producer.connect().finally(() => {
      opened.producerConnect = undefined;
    });
    return opened.producerConnect;
  }

  private async disconnect(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    if (!opened) return;
    const admin = opened.admin?.catch(() => undefined);
    opened.admin = undefined;
    await Promise.all([admin?.then((client) => client?.disconnect()), opened.producer?.disconnect()]).catch(
      () => undefined,
    );
  }
}
