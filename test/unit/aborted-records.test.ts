import should from 'should';
import { withoutAbortedRecords } from '../../src/client/aborted-records';

const ABORT = Buffer.from([0, 0, 0, 0]);

function record(offset: number, producerId: string, inTransaction = true, key: Buffer | null = null) {
  return { offset: String(offset), key, batchContext: { producerId, inTransaction } };
}

describe('records of aborted transactions', () => {
  it('leaves out every aborted transaction, whatever order the broker lists them in', () => {
    // Producer 7 began at 0 and aborted at 4; producer 9 began at 1 and aborted at 2, so first.
    const messages = [
      record(0, '7'),
      record(1, '9'),
      record(2, '9', true, ABORT),
      record(3, '7'),
      record(4, '7', true, ABORT),
      record(5, '3', false),
    ];
    const kept = withoutAbortedRecords({
      messages,
      abortedTransactions: [
        { producerId: '9', firstOffset: '1' },
        { producerId: '7', firstOffset: '0' },
      ],
    });
    should(kept.map((entry) => entry.offset)).eql(['2', '4', '5']);
  });

  it('keeps the records of a producer once its abort marker has passed, and of committed transactions', () => {
    const messages = [record(0, '7'), record(1, '7', true, ABORT), record(2, '7'), record(3, '8')];
    const kept = withoutAbortedRecords({
      messages,
      abortedTransactions: [{ producerId: '7', firstOffset: '0' }],
    });
    should(kept.map((entry) => entry.offset)).eql(['1', '2', '3']);
  });

  it('keeps everything when no transaction was aborted', () => {
    const messages = [record(0, '7'), record(1, '8')];
    should(withoutAbortedRecords({ messages, abortedTransactions: [] })).equal(messages);
  });
});
