// One broker shared by the fault scenarios that do not stop or replace it (mocha root hooks). Its
// size limits are raised so that the hostile-records scenario can write 8 MiB values.
import { startLocalKafka, type LocalKafka } from '../../scripts/kafka/local-kafka';

export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

let broker: LocalKafka | undefined;

export function faultBroker(): LocalKafka {
  if (!broker) throw new Error('the fault suite broker is not running');
  return broker;
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(300000);
    broker = await startLocalKafka({
      brokerConfig: {
        'message.max.bytes': String(MAX_MESSAGE_BYTES),
        'replica.fetch.max.bytes': String(MAX_MESSAGE_BYTES),
      },
    });
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60000);
    await broker?.destroy();
    broker = undefined;
  },
};
