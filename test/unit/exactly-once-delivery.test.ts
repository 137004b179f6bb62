// ExactlyOnceDelivery's records on fake transactional producers and fake timers: a full transaction
// ends early, failed records are dead-lettered inside the transaction, a dropped msg or a refused
// write aborts it, and a record refused for good is failed on its next delivery without the flow.
import should from 'should';
import { CompressionTypes } from 'kafkajs';
import { ConsumerReport } from '../../src/consumer/consumer-report';
import type { ConsumerState } from '../../src/consumer/consumer-state';
import type { FlowOutcome } from '../../src/delivery/delivery';
import { resolveTriggerSettings } from '../../src/settings/trigger-settings';
import type { TransactionScope } from '../../src/transactions/transaction-scope';
import { eosHarness, type EosFlow, type EosOptions } from '../support/exactly-once-harness';
import { until, useFakeClock } from '../support/fake-clock';
import { refusal } from '../support/fake-transactions';

/** Writes one record for offset `offset` to topic out through `scope`, then ends as `outcome`. */
function writing(outcome: (offset: number) => FlowOutcome = () => ({})): EosFlow {
  return (offset, scope) =>
    new Promise((resolve) =>
      (scope as TransactionScope).write(
        { topic: 'out', message: { value: `out-${offset}` }, size: 10 },
        CompressionTypes.None,
        () => resolve(outcome(offset)),
      ),
    );
}

describe('exactly-once delivery', () => {
  const fake = useFakeClock();

  async function started(flow?: EosFlow, options: EosOptions = {}) {
    const e = eosHarness(flow, options);
    e.delivery.assigned({ t: [0] });
    await until(fake.clock, () => !e.isHeld(0), 'the partition started');
    return e;
  }

  it('writes what the flow writes in the transaction, then commits the offsets', async () => {
    const e = await started(writing());
    await e.delivery.handleBatch(e.h.batch([0, 1]));
    await until(fake.clock, () => e.ends.length > 0, 'the commit');
    should(e.producer(0).requestValues.flat()).eql(['out-0', 'out-1']);
    should(e.producer(0).sentOffsets).eql(['g:t/0@2']);
    should(e.ends).eql(['committed']);
    should(e.limit.size).equal(0);
  });

  it('ends a transaction of 5,000 records at once, and hands no more over until it has', async () => {
    const e = await started(undefined, { transactionInterval: 600000 });
    const offsets = Array.from({ length: 6000 }, (_, offset) => offset);
    const delivered = await e.delivery.handleBatch(e.h.batch(offsets));
    // Parts of 256 records: the one that reaches 5,000 is the last handed over.
    should(delivered).equal(5120);
    should(e.h.sent).have.length(5120);
    await until(fake.clock, () => e.ends.length > 0, 'the early commit');
    should(e.producer(0).sentOffsets).eql(['g:t/0@5120']);
    should(e.h.resolved.at(-1)).equal('5119');
  });

  it('dead-letters a failed record inside its transaction and commits past it', async () => {
    const e = await started(async (offset) => (offset === 1 ? { error: new Error('boom') } : {}), {
      deadLetterTopic: 'dead',
    });
    await e.delivery.handleBatch(e.h.batch([0, 1, 2]));
    await until(fake.clock, () => e.ends.length > 0, 'the commit');
    should(e.ends).eql(['committed']);
    should(e.producer(0).requests.map((request) => request.topicMessages![0].topic)).eql(['dead']);
    should(e.producer(0).sentOffsets).eql(['g:t/0@3']);
    should(e.recordFailures.map(({ offset, deadLetterTopic }) => [offset, deadLetterTopic])).eql([
      ['1', 'dead'],
    ]);
  });

  it('dead-letters every record of a failed batch msg, in order, and commits past them', async () => {
    const e = await started(async () => ({ error: new Error('boom') }), {
      deadLetterTopic: 'dead',
      batchSize: 3,
    });
    await e.delivery.handleBatch(e.h.batch([4, 5, 6]));
    await until(fake.clock, () => e.ends.length > 0, 'the commit');
    should(e.h.batches).eql([[4, 5, 6]]);
    const letters = e.producer(0).requests.flatMap((request) => request.topicMessages![0].messages);
    should(letters.map((letter) => (JSON.parse(String(letter.value)) as { n: number }).n)).eql([4, 5, 6]);
    should(e.producer(0).sentOffsets).eql(['g:t/0@7']);
  });

  it('aborts the transaction of a dropped msg, reports nothing, and delivers again from the committed offset', async () => {
    let drops = 1;
    const e = await started(
      writing(() => (drops-- > 0 ? { dropped: true } : {})),
      { committed: { 0: '3' }, deadLetterTopic: 'dead' },
    );
    await e.delivery.handleBatch(e.h.batch([3, 4]));
    await until(fake.clock, () => e.ends.length > 0, 'the abort');
    should(e.ends).eql(['aborted']);
    should(e.producer(0).offsets).be.empty();
    should(e.consumer.seeks.at(-1)).eql({ topic: 't', partition: 0, offset: '3' });
    should(e.recordFailures).be.empty();
    await e.delivery.handleBatch(e.h.batch([3, 4]));
    await until(fake.clock, () => e.ends.length > 1, 'the commit');
    should(e.ends).eql(['aborted', 'committed']);
    should(e.producer(0).sentOffsets).eql(['g:t/0@5']);
  });

  it('neither reports nor dead-letters a failed record of a transaction that aborts', async () => {
    const e = await started(
      async (offset) => (offset === 0 ? { dropped: true } : { error: new Error('boom') }),
      { deadLetterTopic: 'dead' },
    );
    await e.delivery.handleBatch(e.h.batch([0, 1]));
    await until(fake.clock, () => e.ends.length > 0, 'the abort');
    should(e.ends).eql(['aborted']);
    should(e.recordFailures).be.empty();
    should(e.producer(0).requests).be.empty();
  });

  it('fails a record whose write was refused for good on its next delivery, without the flow', async () => {
    const tooLarge = refusal('MESSAGE_TOO_LARGE');
    const e = await started(writing(), { committed: { 0: '7' }, deadLetterTopic: 'dead' });
    e.producer(0).answer = async (batch) => {
      if (batch.topicMessages![0].topic === 'out') throw tooLarge;
      return [];
    };
    await e.delivery.handleBatch(e.h.batch([7]));
    await until(fake.clock, () => e.ends.length > 0, 'the abort');
    should(e.ends).eql(['aborted']);
    should(e.consumer.seeks.at(-1)).have.property('offset', '7');
    should(await e.delivery.handleBatch(e.h.batch([7]))).equal(1);
    await until(fake.clock, () => e.ends.length > 1, 'the commit');
    should(e.h.sent).eql([7]);
    should(e.recordFailures.map(({ offset, error }) => [offset, error])).eql([['7', tooLarge]]);
    should(e.producer(0).requests.at(-1)!.topicMessages![0].topic).equal('dead');
    should(e.producer(0).sentOffsets).eql(['g:t/0@8']);
  });

  it('in batch output, leaves a record refused for good out of the msg and fails it', async () => {
    const tooLarge = refusal('MESSAGE_TOO_LARGE');
    const e = await started(writing(), { batchSize: 2 });
    e.producer(0).answer = async () => {
      throw tooLarge;
    };
    await e.delivery.handleBatch(e.h.batch([0]));
    await until(fake.clock, () => e.ends.length > 0, 'the abort');
    e.producer(0).answer = async () => [];
    await e.delivery.handleBatch(e.h.batch([0, 1]));
    await until(fake.clock, () => e.ends.length > 1, 'the commit');
    should(e.h.batches).eql([[0], [1]]);
    should(e.recordFailures.map(({ offset }) => offset)).eql(['0']);
    should(e.producer(0).sentOffsets).eql(['g:t/0@2']);
  });
});

describe('exactly-once transactions in the report', () => {
  it('counts committed and aborted transactions in the metrics and on the badge', () => {
    const resolved = resolveTriggerSettings({ topic: 't', delivery: 'exactly-once' }, 'node1');
    if (!('settings' in resolved)) throw new Error('test settings are invalid');
    const states: ConsumerState[] = [];
    const view = { paused: false, partitions: 1, topics: 1 };
    const report = new ConsumerReport(
      resolved.settings,
      (state) => void states.push(state),
      () => view,
    );
    report.transactionEnded('committed');
    report.transactionEnded('committed');
    report.transactionEnded('aborted');
    report.connected();
    should(states.at(-1)).containEql({ transactions: { committed: 2, aborted: 1 } });
    should(report.snapshot(0, 'running' as never)).containEql({ transactions: { committed: 2, aborted: 1 } });
  });
});
