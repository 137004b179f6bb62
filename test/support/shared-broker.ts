// The one real Kafka broker a suite shares, started and destroyed by that suite's mocha root hooks
// (see brokerRootHooks); tests reach it through sharedBroker().
import { startLocalKafka, type LocalKafka, type LocalKafkaOptions } from '../../scripts/kafka/local-kafka';

let broker: LocalKafka | undefined;

export function sharedBroker(): LocalKafka {
  if (!broker) throw new Error("the shared test broker is not running (the suite's hooks file starts it)");
  return broker;
}

/** Mocha root hooks that start the shared broker before the first test and destroy it after the last. */
export function brokerRootHooks(options: LocalKafkaOptions = {}): Mocha.RootHookObject {
  return {
    async beforeAll(this: Mocha.Context): Promise<void> {
      this.timeout(300000);
      broker = await startLocalKafka(options);
    },
    async afterAll(this: Mocha.Context): Promise<void> {
      this.timeout(60000);
      await broker?.destroy();
      broker = undefined;
    },
  };
}
