import should from 'should';
import { CompletionWatermarks } from '../../src/delivery/completion-watermarks';

describe('completion watermarks', () => {
  it('commits past a record only when it and every record before it are finished', () => {
    const marks = new CompletionWatermarks();
    for (const offset of ['10', '11', '12']) marks.started('t', 0, offset);
    should(marks.finished('t', 0, '11')).be.undefined();
    should(marks.finished('t', 0, '10')).equal('12');
    should(marks.finished('t', 0, '12')).equal('13');
  });

  it('keeps partitions apart and forgets revoked ones', () => {
    const marks = new CompletionWatermarks();
    marks.started('t', 0, '5');
    marks.started('t', 1, '7');
    should(marks.finished('t', 1, '7')).equal('8');
    marks.keepOnly({ t: [1] });
    should(marks.finished('t', 0, '5')).be.undefined();
  });

  it('keeps the same partition of two topics apart', () => {
    const marks = new CompletionWatermarks();
    marks.started('a', 0, '5');
    marks.started('b', 0, '5');
    marks.started('b', 0, '6');
    should(marks.finished('b', 0, '6')).be.undefined();
    should(marks.finished('a', 0, '5')).equal('6');
    should(marks.finished('b', 0, '5')).equal('7');
    marks.started('a', 0, '6');
    marks.started('b', 0, '7');
    marks.keepOnly({ b: [0] });
    should(marks.finished('a', 0, '6')).be.undefined();
    should(marks.finished('b', 0, '7')).equal('8');
  });

  it('handles offsets beyond 2^53', () => {
    const marks = new CompletionWatermarks();
    marks.started('t', 0, '9007199254740993');
    should(marks.finished('t', 0, '9007199254740993')).equal('9007199254740994');
  });
});
