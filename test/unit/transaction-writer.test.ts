// TransactionWriter on a fake kafkajs transaction: how it gathers records into requests (one at a
// time, by compression and size, or one per request), and how each record learns its end.
import should from 'should';
import { CompressionTypes, type Message, type RecordMetadata, type Transaction } from 'kafkajs';
import type { OutgoingRecord } from '../../src/producer/produce-record';
import { TransactionWriter } from '../../src/transactions/transaction-writer';
import { flush } from '../support/fake-clock';
import { okAnswer } from '../support/fake-kafka';
import { FakeTransaction, FakeTransactionalProducer, refusal } from '../support/fake-transactions';

const out = (value: string, size = 100, partition = 0): OutgoingRecord => ({
  topic: 'out',
  message: { value, partition },
  size,
});

interface Ends {
  errors: unknown[];
  written: unknown[];
}

/** A writer over a transaction whose requests the test answers one by one (`answerNext`). */
function writerOn(singly = false) {
  const producer = new FakeTransactionalProducer({});
  const pending: ((error?: Error) => void)[] = [];
  producer.answer = (batch) =>
    new Promise<RecordMetadata[]>((resolve, reject) =>
      pending.push((error) => (error ? reject(error) : resolve(okAnswer(batch)))),
    );
  const refused: { error: unknown; records: number }[] = [];
  const writer = new TransactionWriter(
    new FakeTransaction(producer) as unknown as Transaction,
    (message: Message) => message.partition,
    singly,
    (error, records) => void refused.push({ error, records }),
  );
  const ends: Ends = { errors: [], written: [] };
  const alone: unknown[] = [];
  const write = (record: OutgoingRecord, compression = CompressionTypes.None) =>
    writer.write(
      record,
      compression,
      (error, written) => {
        ends.errors.push(error);
        ends.written.push(written);
      },
      (error) => void alone.push(error),
    );
  const answerNext = async (error?: Error) => {
    await flush();
    pending.shift()!(error);
    await flush();
  };
  return { producer, writer, write, answerNext, refused, ends, alone };
}

describe('transaction writer', () => {
  it('sends one request at a time, with what arrived meanwhile in the next', async () => {
    const { producer, write, answerNext } = writerOn();
    write(out('a'));
    await flush();
    write(out('b'));
    write(out('c'));
    await flush();
    should(producer.requestValues).eql([['a']]);
    await answerNext();
    should(producer.requestValues).eql([['a'], ['b', 'c']]);
    should(producer.requests[1]).have.property('acks', -1);
  });

  it('puts records of one compression in a request, the others in the next', async () => {
    const { producer, write, answerNext } = writerOn();
    write(out('first'));
    write(out('a'), CompressionTypes.GZIP);
    write(out('b'));
    write(out('c'), CompressionTypes.GZIP);
    await answerNext();
    await answerNext();
    should(producer.requestValues).eql([['first'], ['a', 'c'], ['b']]);
    should(producer.requests.map((request) => request.compression)).eql([
      CompressionTypes.None,
      CompressionTypes.GZIP,
      CompressionTypes.None,
    ]);
  });

  it('keeps a request under the byte cap, and sends a larger record alone', async () => {
    const { producer, write, answerNext } = writerOn();
    write(out('first'));
    write(out('a', 400_000));
    write(out('b', 400_000));
    write(out('c', 400_000));
    write(out('huge', 2_000_000));
    await answerNext();
    await answerNext();
    await answerNext();
    should(producer.requestValues).eql([['first'], ['a', 'b'], ['c'], ['huge']]);
  });

  it('singly: sends one record per request', async () => {
    const { producer, write, answerNext } = writerOn(true);
    write(out('a'));
    write(out('b'));
    write(out('c'));
    await answerNext();
    await answerNext();
    should(producer.requestValues).eql([['a'], ['b'], ['c']]);
  });

  it('gives each record its offset from the answer, per partition', async () => {
    const { write, answerNext, ends } = writerOn();
    write(out('first'));
    write(out('a', 100, 0));
    write(out('b', 100, 1));
    write(out('c', 100, 0));
    await answerNext();
    await answerNext();
    should(ends.errors).eql([undefined, undefined, undefined, undefined]);
    should(ends.written.slice(1)).eql([
      { topic: 'out', partition: 0, offset: 100 },
      { topic: 'out', partition: 1, offset: 200 },
      { topic: 'out', partition: 0, offset: 101 },
    ]);
  });

  it('settles every record of a refused request with the refusal, after telling onRefused', async () => {
    const { write, answerNext, refused, ends, alone } = writerOn();
    write(out('first'));
    write(out('a'));
    write(out('b'));
    await answerNext();
    const error = refusal('MESSAGE_TOO_LARGE');
    await answerNext(error);
    should(ends.errors).eql([undefined, error, error]);
    should(ends.written.slice(1)).eql([undefined, undefined]);
    should(refused).eql([{ error, records: 2 }]);
    // Refused with another record: neither refusal is known to be the record's own.
    should(alone).be.empty();
  });

  it('tells refusedAlone only when the refused request held that record alone', async () => {
    const { write, answerNext, refused, ends, alone } = writerOn();
    write(out('a'));
    const error = refusal('MESSAGE_TOO_LARGE');
    await answerNext(error);
    should(alone).eql([error]);
    should(refused).eql([{ error, records: 1 }]);
    should(ends.errors).eql([error]);
  });

  it('sends a record written just after the last request was answered (a dead letter after another)', async () => {
    const { producer, writer, answerNext, ends } = writerOn();
    const settled = new Promise((resolve) => writer.write(out('a'), CompressionTypes.None, resolve));
    // Written on the settle's next turn, as an awaited dead letter writes the next one.
    void settled.then(() =>
      writer.write(out('b'), CompressionTypes.None, (error) => ends.errors.push(error)),
    );
    await answerNext();
    should(producer.requestValues).eql([['a'], ['b']]);
    await answerNext();
    should(ends.errors).eql([undefined]);
  });

  it('flushed() resolves once every record written so far is settled', async () => {
    const { writer, write, answerNext, ends } = writerOn();
    write(out('a'));
    write(out('b'));
    let flushed = false;
    void writer.flushed().then(() => (flushed = true));
    await answerNext();
    should(flushed).be.false();
    await answerNext();
    should(flushed).be.true();
    should(ends.errors).have.length(2);
  });
});
