import should from 'should';
import { CompletionWatermarks, nextOffset } from '../../src/delivery/completion-watermarks';

describe('completion watermarks', () => {
  it('moves past a record only when it and every record before it are finished', () => {
    const progress = new CompletionWatermarks().of('t', 0);
    const [ten, eleven, twelve] = ['10', '11', '12'].map((offset) => progress.started(offset));
    should(progress.finished(eleven)).be.undefined();
    should(progress.finished(ten)).equal('11');
    should(progress.unfinished).equal(1);
    should(progress.finished(twelve)).equal('12');
    should(progress.unfinished).equal(0);
  });

  it('keeps its order across many records finished out of order', () => {
    const progress = new CompletionWatermarks().of('t', 0);
    // More than one compaction step, finished in pairs back to front.
    const tickets = Array.from({ length: 5000 }, (_, index) => progress.started(String(index)));
    for (let index = 0; index < tickets.length; index += 2) {
      should(progress.finished(tickets[index + 1])).be.undefined();
      should(progress.finished(tickets[index])).equal(String(index + 1));
    }
    should(progress.unfinished).equal(0);
    // Gaps in the offsets (compaction, transaction markers) are kept as they come.
    const later = progress.started('9000');
    should(progress.finished(later)).equal('9000');
  });

  it('keeps partitions and topics apart, and forgets revoked ones', () => {
    const marks = new CompletionWatermarks();
    const a0 = marks.of('a', 0);
    const b0 = marks.of('b', 0);
    const b1 = marks.of('b', 1);
    should(marks.of('a', 0)).equal(a0);
    const a0five = a0.started('5');
    const b0five = b0.started('5');
    const b1seven = b1.started('7');
    should(marks.unfinished('b', 0)).equal(1);
    marks.keepOnly({ b: [0] });
    // A revoked partition's records commit nothing, and its next records start a new order.
    should(a0.finished(a0five)).be.undefined();
    should(b1.finished(b1seven)).be.undefined();
    should(a0.isForgotten).be.true();
    should(marks.of('a', 0)).not.equal(a0);
    should(b0.finished(b0five)).equal('5');
  });

  it('forgets a partition a seek moved: what was in flight commits nothing', () => {
    const marks = new CompletionWatermarks();
    const before = marks.of('t', 0);
    const ticket = before.started('40');
    marks.forget('t', 0);
    should(marks.unfinished('t', 0)).equal(0);
    should(before.finished(ticket)).be.undefined();
  });

  it('commits the offset after the last finished one, beyond 2^53 too', () => {
    should(nextOffset('41')).equal('42');
    should(nextOffset('9007199254740993')).equal('9007199254740994');
  });
});
