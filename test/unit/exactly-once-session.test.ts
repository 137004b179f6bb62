// The exactly-once glue of a trigger's session: TriggerConsumer with a fake kafkajs client whose
// transactional producers the test decides; a refused transaction fails the session.
import should from 'should';
import type { EachBatchPayload, Kafka } from 'kafkajs';
import { TriggerConsumer, type ConsumerState } from '../../src/consumer/trigger-consumer';
import { resolveTriggerSettings } from '../../src/settings/trigger-settings';
import { record, statesOnlyHooks } from '../support/delivery-harness';
import { flush, until, useFakeClock } from '../support/fake-clock';
import { FakeAdmin, fakeKafka, pooledClients } from '../support/fake-kafka';
import { fakeTransactionalKafka } from '../support/fake-transactions';

describe('exactly-once session', () => {
  const fake = useFakeClock();

  function exactlyOnceTrigger(failures = {}) {
    const consumers = fakeKafka(new FakeAdmin(['t']));
    const producers = fakeTransactionalKafka(consumers.admin, failures);
    const kafka = {
      ...consumers.kafka,
      producer: producers.kafka.producer.bind(producers.kafka),
    } as unknown as Kafka;
    const resolved = resolveTriggerSettings({ topic: 't', delivery: 'exactly-once' }, 'node1');
    if (!('settings' in resolved)) throw new Error('test settings are invalid');
    const states: ConsumerState[] = [];
    const trigger = new TriggerConsumer({
      clients: pooledClients(kafka),
      settings: resolved.settings,
      backoff: { initialMs: 1000, maxMs: 1000 },
      hooks: statesOnlyHooks((state) => void states.push(state)),
    });
    const producerOf = (partition: number) =>
      producers.producerOf(`${resolved.settings.groupId}/t/${partition}`);
    return { consumers: consumers.consumers, trigger, states, producerOf };
  }

  it('commits the records of a fetched batch in a transaction, and counts it in the metrics', async () => {
    const { consumers, trigger, producerOf } = exactlyOnceTrigger();
    trigger.start();
    await until(fake.clock, () => consumers[0]?.runConfig, 'the consumer running');
    consumers[0].join({ t: [0] });
    await until(fake.clock, () => producerOf(0).log.includes('transaction'), 'the transaction begun');
    await flush();
    const payload = {
      batch: { topic: 't', partition: 0, messages: [record(0), record(1)], offsetLag: () => '0' },
      resolveOffset: () => undefined,
      heartbeat: async () => undefined,
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload;
    await consumers[0].runConfig!.eachBatch!(payload);
    await until(fake.clock, () => producerOf(0).log.includes('commit'), 'the commit');
    should(producerOf(0).sentOffsets).eql([`${trigger.metricsSnapshot().group_id}:t/0@2`]);
    should(trigger.metricsSnapshot()).containEql({ transactions: { committed: 1, aborted: 0 } });
    await trigger.close(0);
  });

  it('fails the session when a partition’s transaction cannot start: its producer lets go, the trigger retries', async () => {
    const fenced = new Error('the transactional id is fenced');
    const { consumers, trigger, states, producerOf } = exactlyOnceTrigger({ transaction: fenced });
    trigger.start();
    await until(fake.clock, () => consumers[0]?.subscribed, 'the subscription');
    consumers[0].join({ t: [0] });
    const retrying = await until(
      fake.clock,
      () => states.find((state) => state.kind === 'retrying'),
      'the failed session',
    );
    should(retrying).have.property('error', fenced);
    should(producerOf(0).log).eql(['connect', 'transaction', 'disconnect']);
    should(consumers[0].disconnected).be.true();
    await trigger.close(0);
  });
});
