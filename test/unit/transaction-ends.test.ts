// TransactionEnds, as ExactlyOnceDelivery drives it, on fake transactional producers and fake
// timers: a partition's start before its records reach the flow, the ends on the interval, the hold
// while one ends, aborts and seeks back, failures, revokes, and close.
import should from 'should';
import { eosHarness, heldFlow } from '../support/exactly-once-harness';
import { flush, settledOn, until, useFakeClock } from '../support/fake-clock';

const onPartition = (batch: ReturnType<ReturnType<typeof eosHarness>['h']['batch']>, partition: number) => ({
  ...batch,
  partition,
});

describe('transaction ends: starting a partition', () => {
  const fake = useFakeClock();

  it('holds a new partition until its transaction began and the committed offset was read, then seeks there', async () => {
    const e = eosHarness(async () => ({}), { committed: { 0: '5' } });
    e.delivery.assigned({ t: [0] });
    e.producer(0).hold('transaction');
    const releaseAdmin = e.holdAdmin();
    should(e.consumer.paused.has('t:0')).be.true();
    should(await e.delivery.handleBatch(e.h.batch([5, 6]))).equal(0);
    e.producer(0).release('transaction');
    await until(fake.clock, () => e.producer(0).log.includes('transaction'), 'the transaction opened');
    // Begun, but the committed offset is not read yet: still held.
    should(e.isHeld(0)).be.true();
    should(await e.delivery.handleBatch(e.h.batch([5, 6]))).equal(0);
    should(e.h.sent).be.empty();
    releaseAdmin();
    await until(fake.clock, () => !e.isHeld(0), 'the partition released');
    should(e.consumer.seeks).eql([{ topic: 't', partition: 0, offset: '5' }]);
    should(e.consumer.paused.has('t:0')).be.false();
    should(e.producer(0).log).eql(['connect', 'transaction']);
    should(await e.delivery.handleBatch(e.h.batch([5, 6]))).equal(2);
    should(e.h.sent).eql([5, 6]);
  });

  it('does not seek a partition without a committed offset', async () => {
    const e = eosHarness();
    e.delivery.assigned({ t: [0] });
    await until(fake.clock, () => !e.isHeld(0), 'the partition released');
    should(e.consumer.seeks).be.empty();
  });

  it('fails the session when the start is refused (the id fenced, or the broker away)', async () => {
    const e = eosHarness();
    e.delivery.assigned({ t: [0] });
    const fenced = new Error('fenced');
    e.producer(0).failures.transaction = fenced;
    await until(fake.clock, () => e.sessionFailures.length > 0, 'the session failed');
    should(e.sessionFailures).eql([fenced]);
    should(await e.delivery.handleBatch(e.h.batch([0]))).equal(0);
  });
});

describe('transaction ends: on the interval', () => {
  const fake = useFakeClock();

  it('ends the transactions that have records, on each interval', async () => {
    const e = eosHarness();
    e.delivery.assigned({ t: [0, 1] });
    await until(fake.clock, () => !e.isHeld(0) && !e.isHeld(1), 'the partitions started');
    await e.delivery.handleBatch(e.h.batch([0, 1]));
    const idleHolds = e.control.hold.epoch('t', 1);
    await fake.clock.tickAsync(100);
    should(e.producer(0).sentOffsets).eql(['g:t/0@2']);
    should(e.producer(0).log).eql(['connect', 'transaction', 'sendOffsets', 'commit', 'transaction']);
    // Nothing read on partition 1: its transaction neither commits nor reaches the broker.
    should(e.producer(1).log).eql(['connect', 'transaction']);
    should(e.ends).eql(['committed']);
    await fake.clock.tickAsync(500);
    should(e.ends).eql(['committed']);
    // An idle partition is not held back on the interval, not even for a moment.
    should(e.control.hold.epoch('t', 1)).equal(idleHolds);
  });

  it('while its transaction ends, hands none of the partition’s records over, without pausing its fetching', async () => {
    const held = heldFlow();
    const e = eosHarness(held.flow);
    e.delivery.assigned({ t: [0] });
    await until(fake.clock, () => !e.isHeld(0), 'the partition started');
    await e.delivery.handleBatch(e.h.batch([0]));
    await fake.clock.tickAsync(100);
    // kafkajs sleeps a whole fetch wait when all its partitions are paused: the batch waits instead.
    should(e.consumer.paused.has('t:0')).be.false();
    const next = e.delivery.handleBatch(e.h.batch([1]));
    await fake.clock.tickAsync(50);
    should(e.h.sent).eql([0]);
    should(e.producer(0).offsets).be.empty();
    held.finish(0);
    should(await settledOn(fake.clock, next)).equal(1);
    should(e.producer(0).sentOffsets).eql(['g:t/0@1']);
    should(e.h.sent).eql([0, 1]);
  });

  it('seeks an aborted partition back to its committed offset', async () => {
    const e = eosHarness(async (offset) => (offset === 6 ? { dropped: true } : {}), {
      committed: { 0: '5' },
    });
    e.delivery.assigned({ t: [0] });
    await until(fake.clock, () => !e.isHeld(0), 'the partition started');
    await e.delivery.handleBatch(e.h.batch([5, 6, 7]));
    await until(fake.clock, () => e.ends.length > 0, 'the transaction ended');
    should(e.ends).eql(['aborted']);
    should(e.producer(0).offsets).be.empty();
    should(e.consumer.seeks.map(({ offset }) => offset)).eql(['5', '5']);
    should(e.isHeld(0)).be.false();
  });

  it('waits longer before each further abort in a row', async () => {
    const e = eosHarness(async () => ({ dropped: true }), { committed: { 0: '0' } });
    e.delivery.assigned({ t: [0] });
    await until(fake.clock, () => !e.isHeld(0), 'the partition started');
    const waits: number[] = [];
    for (let round = 0; round < 4; round += 1) {
      const asked = fake.clock.now;
      await settledOn(fake.clock, e.delivery.handleBatch(e.h.batch([0])), `batch ${round + 1}`);
      waits.push(fake.clock.now - asked);
      await until(fake.clock, () => e.ends.length > round, `abort ${round + 1}`);
    }
    should(e.ends).eql(['aborted', 'aborted', 'aborted', 'aborted']);
    // The first abort in a row does not wait; the second 200 ms, the third 400 ms.
    should(waits[1]).be.below(50);
    should(waits[2]).be.within(150, 250);
    should(waits[3]).be.within(350, 450);
  });

  it('reads a partition kept through a rebalance on from where this member is', async () => {
    const held = heldFlow();
    const e = eosHarness(held.flow, { committed: { 0: '0' }, transactionInterval: 600000 });
    e.delivery.assigned({ t: [0, 1] });
    await until(fake.clock, () => !e.isHeld(0) && !e.isHeld(1), 'the partitions started');
    await e.delivery.handleBatch(e.h.batch([0, 1, 2]));
    const seeks = e.consumer.seeks.length;
    e.delivery.assigned({ t: [0] });
    should(e.consumer.seeks.slice(seeks)).eql([{ topic: 't', partition: 0, offset: '3' }]);
    should(e.ends).be.empty();
  });

  it('starts the partitions afresh from the group’s offset when the group gave this member a new id', async () => {
    const held = heldFlow();
    const committed: Record<number, string> = { 0: '0' };
    const e = eosHarness(held.flow, { committed, transactionInterval: 600000 });
    e.delivery.assigned({ t: [0] }, 'member-1');
    await until(fake.clock, () => !e.isHeld(0), 'the partition started');
    const first = e.producer(0);
    await e.delivery.handleBatch(e.h.batch([0, 1, 2]));
    // Frozen past its session timeout: another member owned partition 0 and committed up to 50.
    committed[0] = '50';
    e.delivery.assigned({ t: [0] }, 'member-2');
    await until(fake.clock, () => e.producer(0) !== first && !e.isHeld(0), 'a new start');
    await until(fake.clock, () => first.log.includes('disconnect'), 'the old producer closed');
    should(e.consumer.seeks.at(-1)).eql({ topic: 't', partition: 0, offset: '50' });
    should(e.producer(0).log.slice(0, 2)).eql(['connect', 'transaction']);
  });

  it('fails the session when a commit or an abort is refused', async () => {
    for (const step of ['commit', 'abort'] as const) {
      const e = eosHarness(async () => (step === 'abort' ? { dropped: true } : {}));
      e.delivery.assigned({ t: [0] });
      await until(fake.clock, () => !e.isHeld(0), 'the partition started');
      const refused = new Error(`${step} refused`);
      e.producer(0).failures[step] = refused;
      await e.delivery.handleBatch(e.h.batch([0]));
      await until(fake.clock, () => e.sessionFailures.length > 0, `the failed ${step}`);
      should(e.sessionFailures).eql([refused]);
      should(e.ends).be.empty();
    }
  });

  it('ends a partition’s transaction before a seek, and commits where the seek moved it', async () => {
    const e = eosHarness(async () => ({}), { transactionInterval: 600000 });
    e.delivery.assigned({ t: [0] });
    await until(fake.clock, () => !e.isHeld(0), 'the partition started');
    await e.delivery.handleBatch(e.h.batch([0, 1]));
    should(await settledOn(fake.clock, e.delivery.settle('t', 0, 5000))).be.true();
    should(e.producer(0).sentOffsets).eql(['g:t/0@2']);
    e.delivery.moveTo('t', 0, '40');
    should(await settledOn(fake.clock, e.delivery.settle('t', 0, 5000))).be.true();
    should(e.producer(0).sentOffsets).eql(['g:t/0@2', 'g:t/0@40']);
  });
});

describe('transaction ends: revokes and close', () => {
  const fake = useFakeClock();

  it('aborts and disconnects the transaction of a revoked partition', async () => {
    const e = eosHarness(heldFlow().flow);
    e.delivery.assigned({ t: [0, 1] });
    await until(fake.clock, () => !e.isHeld(0) && !e.isHeld(1), 'the partitions started');
    await e.delivery.handleBatch(e.h.batch([0]));
    e.delivery.assigned({ t: [1] });
    await until(fake.clock, () => e.producer(0).log.includes('disconnect'), 'the disconnect');
    should(e.producer(0).log).eql(['connect', 'transaction', 'abort', 'disconnect']);
    should(e.producer(1).log).eql(['connect', 'transaction']);
  });

  it('lets a commit under way land when its partition is revoked, without failing the session', async () => {
    const e = eosHarness();
    e.delivery.assigned({ t: [0] });
    await until(fake.clock, () => !e.isHeld(0), 'the partition started');
    await e.delivery.handleBatch(e.h.batch([0]));
    e.producer(0).hold('commit');
    await until(fake.clock, () => e.producer(0).log.includes('commit'), 'the commit under way');
    e.delivery.assigned({});
    // The revocation waits for the commit under way before it lets go of the producer.
    await fake.clock.tickAsync(1000);
    should(e.producer(0).log).not.containEql('disconnect');
    e.producer(0).release('commit');
    await until(fake.clock, () => e.producer(0).log.includes('disconnect'), 'the disconnect');
    should(e.ends).eql(['committed']);
    const log = e.producer(0).log;
    should(log.indexOf('commit')).be.below(log.indexOf('disconnect'));
    should(e.sessionFailures).be.empty();
  });

  it('on close, commits the drained transactions and aborts those with records in flight, within its bound', async () => {
    const held = heldFlow();
    const e = eosHarness(held.flow);
    e.delivery.assigned({ t: [0, 1] });
    await until(fake.clock, () => !e.isHeld(0) && !e.isHeld(1), 'the partitions started');
    await e.delivery.handleBatch(e.h.batch([0]));
    await e.delivery.handleBatch(onPartition(e.h.batch([1]), 1));
    const start = fake.clock.now;
    const finishing = e.delivery.finish(6000);
    held.finish(0);
    await settledOn(fake.clock, finishing, 'the close');
    should(e.producer(0).log).eql([
      'connect',
      'transaction',
      'sendOffsets',
      'commit',
      'transaction',
      'disconnect',
    ]);
    should(e.producer(1).log).eql(['connect', 'transaction', 'abort', 'disconnect']);
    should(fake.clock.now - start).be.within(6000, 9000);
  });

  it('closes within its bound when the broker does not answer a commit', async () => {
    const e = eosHarness();
    e.delivery.assigned({ t: [0] });
    await until(fake.clock, () => !e.isHeld(0), 'the partition started');
    await e.delivery.handleBatch(e.h.batch([0]));
    e.producer(0).hold('commit');
    const start = fake.clock.now;
    await settledOn(fake.clock, e.delivery.finish(6000), 'the close');
    should(fake.clock.now - start).be.belowOrEqual(9000);
    should(e.producer(0).log.at(-1)).equal('disconnect');
    should(e.sessionFailures).be.empty();
  });

  it('closes within its bound while a partition’s start waits for the broker', async () => {
    const e = eosHarness(async () => ({}), { committed: { 0: '5' } });
    const releaseAdmin = e.holdAdmin();
    e.delivery.assigned({ t: [0] });
    const start = fake.clock.now;
    await settledOn(fake.clock, e.delivery.finish(6000), 'the close');
    should(fake.clock.now - start).be.belowOrEqual(9000);
    should(e.producer(0).log).eql(['connect', 'transaction', 'disconnect']);
    // The look-up answering after the close moves nothing.
    releaseAdmin();
    await flush();
    should(e.consumer.seeks).be.empty();
    should(e.sessionFailures).be.empty();
  });

  it('abandon() aborts at once what is in flight, and disconnects', async () => {
    const e = eosHarness(heldFlow().flow);
    e.delivery.assigned({ t: [0] });
    await until(fake.clock, () => !e.isHeld(0), 'the partition started');
    await e.delivery.handleBatch(e.h.batch([0]));
    await settledOn(fake.clock, e.delivery.abandon(), 'the abandon');
    should(e.producer(0).log).eql(['connect', 'transaction', 'abort', 'disconnect']);
    should(e.producer(0).offsets).be.empty();
  });
});
