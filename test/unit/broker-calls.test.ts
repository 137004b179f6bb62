// One deadline per admin operation, and lists cut to a size.
import type { Admin } from 'kafkajs';
import should from 'should';
import { beforeDeadline, bounded, timedAdmin } from '../../src/admin/broker-calls';
import { OperationProblem } from '../../src/admin/operation-problem';
import { flush, useFakeClock } from '../support/fake-clock';

/** A promise's outcome so far. */
function watch<T>(promise: Promise<T>): { value?: T; error?: unknown } {
  const seen: { value?: T; error?: unknown } = {};
  promise.then(
    (value) => (seen.value = value),
    (error: unknown) => (seen.error = error),
  );
  return seen;
}

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

describe('broker calls', () => {
  const fake = useFakeClock();

  it('cuts a list to its size and says so', () => {
    should(bounded([1, 2, 3], 2)).eql({ items: [1, 2], truncated: true });
    should(bounded([1, 2], 2)).eql({ items: [1, 2], truncated: false });
  });

  it('fails a call that has no answer at the deadline with a problem naming it', async () => {
    const seen = watch(beforeDeadline(never(), Date.now() + 500, 'listGroups', 500));
    fake.clock.tick(499);
    await flush();
    should(seen).eql({});
    fake.clock.tick(1);
    await flush();
    should(seen.error).be.instanceOf(OperationProblem);
    should(seen.error).containEql({ key: 'timed-out', params: { call: 'listGroups', timeout: 500 } });
  });

  it('passes an answer on, and leaves no timer behind', async () => {
    const seen = watch(beforeDeadline(Promise.resolve(3), Date.now() + 500, 'x', 500));
    await flush();
    should(seen.value).equal(3);
    should(fake.clock.countTimers()).equal(0);
  });

  it('holds every call of a timed admin client to one deadline', async () => {
    let answer: (value: string[]) => void = () => undefined;
    const admin = {
      listTopics: () => new Promise<string[]>((resolve) => (answer = resolve)),
      fetchTopicOffsets: () => never(),
      logger: () => 'not a promise',
    } as unknown as Admin;
    const timed = timedAdmin(admin, 1000);
    const first = watch(timed.listTopics());
    fake.clock.tick(600);
    answer(['a']);
    await flush();
    should(first.value).eql(['a']);
    // The second call gets what is left of the operation's time, not a second full timeout.
    const second = watch(timed.fetchTopicOffsets('a'));
    fake.clock.tick(400);
    await flush();
    should(second.error).containEql({
      key: 'timed-out',
      params: { call: 'fetchTopicOffsets', timeout: 1000 },
    });
    should(timed.logger()).equal('not a promise');
  });
});
