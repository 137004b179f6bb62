// PartitionTransaction on a fake transactional producer: how it begins, what it commits (offsets
// and group) once its records are finished, when it aborts instead, and what a refusal leaves.
import should from 'should';
import { CompressionTypes } from 'kafkajs';
import { PartitionChoices } from '../../src/producer/partition-choices';
import type { OutgoingRecord } from '../../src/producer/produce-record';
import { PartitionTransaction, transactionalIdOf } from '../../src/transactions/partition-transaction';
import { TransactionEnded, type TransactionScope } from '../../src/transactions/transaction-scope';
import { flush } from '../support/fake-clock';
import { fakeTransactionalKafka, refusal } from '../support/fake-transactions';

async function begun() {
  const fake = fakeTransactionalKafka();
  const transaction = new PartitionTransaction({
    kafka: fake.kafka,
    groupId: 'g',
    topic: 't',
    partition: 2,
    partitions: new PartitionChoices(),
    transactionTimeout: 60000,
  });
  const producer = fake.producers[0];
  await transaction.begin();
  /** The producer in use now: a refused write renews it. */
  const current = () => fake.producers.at(-1)!;
  return { transaction, producer, producers: fake.producers, current };
}

const out = (value: string): OutgoingRecord => ({ topic: 'out', message: { value }, size: 10 });

/** Writes `value` through `scope`; resolves with how the write ended. */
function written(scope: TransactionScope, value: string): Promise<unknown> {
  return new Promise((resolve) => scope.write(out(value), CompressionTypes.None, (error) => resolve(error)));
}

describe('partition transaction', () => {
  it('uses the transactional id <group>/<topic>/<partition>, one request in flight', async () => {
    const { producer } = await begun();
    should(transactionalIdOf('g', 't', 2)).equal('g/t/2');
    should(producer.config).containEql({ transactionalId: 'g/t/2', maxInFlightRequests: 1 });
  });

  it('begin() connects, then opens a transaction (where kafkajs initialises the id)', async () => {
    const { producer } = await begun();
    should(producer.log).eql(['connect', 'transaction']);
  });

  it('ends once every started record is finished: offset after the last, group, commit, next one', async () => {
    const { transaction, producer } = await begun();
    const first = transaction.start('5');
    const second = transaction.start('6');
    transaction.finish(first);
    let end: string | undefined;
    const ending = transaction.end().then((result) => (end = result));
    await flush();
    should(end).be.undefined();
    should(producer.log).eql(['connect', 'transaction']);
    transaction.finish(second);
    await ending;
    should(end).equal('committed');
    should(producer.sentOffsets).eql(['g:t/2@7']);
    should(producer.log).eql(['connect', 'transaction', 'sendOffsets', 'commit', 'transaction']);
    should(transaction.committed).equal('7');
  });

  it('is idle when nothing was started or moved: no offsets, no commit, the same transaction', async () => {
    const { transaction, producer } = await begun();
    should(transaction.hasWork).be.false();
    should(await transaction.end()).equal('idle');
    should(producer.log).eql(['connect', 'transaction']);
  });

  it('commits what its records wrote, in the transaction, before the offsets', async () => {
    const { transaction, producer } = await begun();
    const ticket = transaction.start('0');
    should(await written(transaction.scope([ticket]), 'x')).be.undefined();
    transaction.finish(ticket);
    should(await transaction.end()).equal('committed');
    should(producer.requestValues).eql([['x']]);
    should(producer.sentOffsets).eql(['g:t/2@1']);
  });

  it('aborts a transaction a write refusal spoiled, without sending offsets, on a new producer after', async () => {
    const { transaction, producer, producers } = await begun();
    producer.answer = async () => {
      throw new Error('NOT_LEADER_FOR_PARTITION');
    };
    const ticket = transaction.start('3');
    should(await written(transaction.scope([ticket]), 'x')).be.an.Error();
    transaction.finish(ticket);
    should(await transaction.end()).equal('aborted');
    should(producer.offsets).be.empty();
    // kafkajs counted the refused records' sequence numbers: the next producer starts them again.
    should(producer.log).eql(['connect', 'transaction', 'abort', 'disconnect']);
    should(producers).have.length(2);
    should(producers[1].config).containEql({ transactionalId: 'g/t/2' });
    should(producers[1].log).eql(['connect', 'transaction']);
  });

  it('aborts a transaction spoiled by a dropped msg, on the same producer; the spoil of an earlier one counts no more', async () => {
    const { transaction, producer, producers } = await begun();
    const ticket = transaction.start('3');
    transaction.spoil(ticket);
    transaction.finish(ticket);
    should(transaction.isSpoiled(ticket)).be.true();
    should(await transaction.end()).equal('aborted');
    // The ticket belongs to the aborted transaction: nothing it does touches the next one.
    transaction.spoil(ticket);
    const next = transaction.start('3');
    should(transaction.isSpoiled(next)).be.false();
    transaction.finish(next);
    should(await transaction.end()).equal('committed');
    should(producer.sentOffsets).eql(['g:t/2@4']);
    should(producers).have.length(1);
  });

  it('refuses writes of a scope of an ended transaction with TransactionEnded', async () => {
    const { transaction, producer } = await begun();
    const ticket = transaction.start('0');
    const scope = transaction.scope([ticket]);
    transaction.finish(ticket);
    await transaction.end();
    should(await written(scope, 'late')).be.instanceOf(TransactionEnded);
    should(producer.requests).be.empty();
  });

  it('remembers a record refused alone for good, to be asked once', async () => {
    const { transaction, producer } = await begun();
    const tooLarge = refusal('MESSAGE_TOO_LARGE');
    producer.answer = async () => {
      throw tooLarge;
    };
    const ticket = transaction.start('8');
    await written(transaction.scope([ticket]), 'big');
    transaction.finish(ticket);
    should(await transaction.end()).equal('aborted');
    should(transaction.takeRefusal('8')).equal(tooLarge);
    should(transaction.takeRefusal('8')).be.undefined();
  });

  it('finds a refusal kafkajs wrapped in a retry error', async () => {
    const { transaction, producer } = await begun();
    const tooLarge = refusal('MESSAGE_TOO_LARGE');
    const wrapped = Object.assign(new Error('retries exhausted'), { originalError: tooLarge });
    producer.answer = async () => {
      throw wrapped;
    };
    const ticket = transaction.start('8');
    await written(transaction.scope([ticket]), 'big');
    should(transaction.takeRefusal('8')).equal(wrapped);
  });

  it('does not remember a retriable refusal', async () => {
    const { transaction, producer } = await begun();
    producer.answer = async () => {
      throw refusal('NOT_LEADER_FOR_PARTITION');
    };
    const ticket = transaction.start('8');
    await written(transaction.scope([ticket]), 'x');
    should(transaction.takeRefusal('8')).be.undefined();
  });

  it('remembers a record whose own request was refused three times, whatever the reason', async () => {
    const { transaction, current } = await begun();
    for (let round = 1; round <= 3; round += 1) {
      current().answer = async () => {
        throw refusal('UNKNOWN_TOPIC_OR_PARTITION');
      };
      const ticket = transaction.start('8');
      await written(transaction.scope([ticket]), 'x');
      transaction.finish(ticket);
      should(await transaction.end()).equal('aborted');
      if (round < 3) should(transaction.takeRefusal('8')).be.undefined();
    }
    should(transaction.takeRefusal('8')).not.be.undefined();
  });

  it('aborts the ending transaction when a late write of it is refused after it was sealed', async () => {
    const { transaction, current } = await begun();
    const ticket = transaction.start('3');
    const scope = transaction.scope([ticket]);
    let answer!: () => void;
    current().answer = () =>
      new Promise((_resolve, reject) => (answer = () => reject(refusal('MESSAGE_TOO_LARGE'))));
    const writing = written(scope, 'late');
    transaction.finish(ticket);
    const ending = transaction.end();
    await new Promise((resolve) => setImmediate(resolve));
    answer();
    await writing;
    should(await ending).equal('aborted');
  });

  it('after a refused request of several, writes one per request until the next commit', async () => {
    const { transaction, producer, current } = await begun();
    let refuse = true;
    // Refuses a request of several records, as a broker refuses one whose batch is too large.
    producer.answer = async (batch) => {
      if (refuse && batch.topicMessages![0].messages.length > 1) throw refusal('RECORD_LIST_TOO_LARGE');
      return [];
    };
    const write = (offset: string, values: string[]) => {
      const ticket = transaction.start(offset);
      const scope = transaction.scope([ticket]);
      const writes = values.map((value) => written(scope, value));
      return Promise.all(writes).then(() => transaction.finish(ticket));
    };
    // The first request goes alone (nothing waits yet); the two after it share one, refused.
    await write('1', ['a', 'b', 'c']);
    should(producer.requestValues).eql([['a'], ['b', 'c']]);
    // Refused with another record, the refusal is not known to be the record's own.
    should(transaction.takeRefusal('1')).be.undefined();
    should(await transaction.end()).equal('aborted');
    refuse = false;
    await write('1', ['a', 'b', 'c']);
    should(current().requestValues).eql([['a'], ['b'], ['c']]);
    should(await transaction.end()).equal('committed');
    await write('4', ['d', 'e', 'f']);
    should(current().requestValues.slice(3)).eql([['d'], ['e', 'f']]);
  });

  it('commits a move with the next end, and an abort before then goes back to it', async () => {
    const { transaction, producer } = await begun();
    transaction.moveTo('40');
    should(transaction.committed).equal('40');
    should(transaction.hasWork).be.true();
    should(await transaction.end()).equal('committed');
    should(producer.sentOffsets).eql(['g:t/2@40']);
    transaction.moveTo('10');
    const ticket = transaction.start('10');
    transaction.spoil(ticket);
    transaction.finish(ticket);
    should(await transaction.end()).equal('aborted');
    should(transaction.committed).equal('10');
  });

  it('committed: the first record read without a commit, then each commit', async () => {
    const { transaction } = await begun();
    should(transaction.committed).be.undefined();
    const first = transaction.start('12');
    const second = transaction.start('13');
    should(transaction.committed).equal('12');
    transaction.spoil(first);
    transaction.finish(first);
    transaction.finish(second);
    should(await transaction.end()).equal('aborted');
    should(transaction.committed).equal('12');
    transaction.finish(transaction.start('12'));
    await transaction.end();
    should(transaction.committed).equal('13');
  });

  it('writes a dead letter in the record’s transaction, and rejects when it is refused', async () => {
    const { transaction, producer } = await begun();
    const ticket = transaction.start('0');
    await transaction.deadLetter(ticket, 'dead', { value: Buffer.from('letter') });
    should(producer.requests[0].topicMessages).eql([
      { topic: 'dead', messages: [{ value: Buffer.from('letter') }] },
    ]);
    producer.answer = async () => {
      throw new Error('away');
    };
    await should(transaction.deadLetter(ticket, 'dead', { value: Buffer.from('again') })).be.rejectedWith(
      'away',
    );
  });

  it('abort() aborts the open transaction; its records’ later writes are refused', async () => {
    const { transaction, producer } = await begun();
    const ticket = transaction.start('0');
    await transaction.abort();
    should(producer.log).eql(['connect', 'transaction', 'abort']);
    should(await written(transaction.scope([ticket]), 'x')).be.instanceOf(TransactionEnded);
    await transaction.disconnect();
    should(producer.log.at(-1)).equal('disconnect');
  });
});
