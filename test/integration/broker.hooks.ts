// One real Kafka broker for the whole integration run (mocha root hooks).
import { startLocalKafka, type LocalKafka } from '../../scripts/kafka/local-kafka';

let broker: LocalKafka | undefined;

export function testBroker(): LocalKafka {
  if (!broker) throw new Error('the test broker is not running');
  return broker;
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(300000);
    broker = await startLocalKafka({ version: process.env.KAFKA_VERSION || undefined });
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60000);
    await broker?.destroy();
    broker = undefined;
  },
};
