// Topic helpers for tests, through kafkajs' admin client.
import { Admin, Kafka, logLevel } from 'kafkajs';
import type { LocalKafka } from './local-kafka';

type BrokerAddress = Pick<LocalKafka, 'bootstrap'>;

/** Runs `action` with a connected admin client and always disconnects it. */
export async function withAdmin<T>(broker: BrokerAddress, action: (admin: Admin) => Promise<T>): Promise<T> {
  const kafka = new Kafka({
    clientId: 'kafka-harness',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await action(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Creates a topic and waits for its partitions to have leaders; a topic that already exists is an error. */
export async function createTopic(broker: BrokerAddress, name: string, partitions = 1): Promise<void> {
  const created = await withAdmin(broker, (admin) =>
    admin.createTopics({ topics: [{ topic: name, numPartitions: partitions }], waitForLeaders: true }),
  );
  if (!created) throw new Error(`Topic ${name} already exists`);
}
