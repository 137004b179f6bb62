// The offset committer against a fake consumer whose commits the test lets land one by one.
import should from 'should';
import type { Consumer } from 'kafkajs';
import { OffsetCommitter } from '../../src/delivery/offset-committer';
import { HeldCommitsConsumer } from '../support/fake-kafka';
import { useFakeClock } from '../support/fake-clock';

function fakeConsumer() {
  const held = new HeldCommitsConsumer();
  return {
    consumer: held as unknown as Consumer,
    requests: held.requests,
    land: (error?: Error) => held.land(error),
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('offset committer', () => {
  it('keeps one request in flight and sends only the newest offset of each partition next', async () => {
    const fake = fakeConsumer();
    const committer = new OffsetCommitter(fake.consumer);
    committer.commit('t', 0, '5');
    committer.commit('t', 0, '6');
    committer.commit('t', 1, '9');
    committer.commit('t', 0, '7');
    should(fake.requests).eql([[{ topic: 't', partition: 0, offset: '5' }]]);
    fake.land();
    await turn();
    should(fake.requests[1]).eql([
      { topic: 't', partition: 0, offset: '7' },
      { topic: 't', partition: 1, offset: '9' },
    ]);
    fake.land();
    await committer.settled();
    should(fake.requests).have.length(2);
  });

  it('carries on after a refused commit, and settled() waits for every offset asked for', async () => {
    const fake = fakeConsumer();
    const committer = new OffsetCommitter(fake.consumer);
    committer.commit('t', 0, '1');
    let settled = false;
    const settling = committer.settled().then(() => (settled = true));
    committer.commit('t', 0, '2');
    fake.land(new Error('The coordinator is not aware of this member'));
    await turn();
    should(settled).be.false();
    should(fake.requests.at(-1)).eql([{ topic: 't', partition: 0, offset: '2' }]);
    fake.land();
    await settling;
    should(settled).be.true();
  });

  describe('when the broker is away', () => {
    const fake = useFakeClock();
    const away = () =>
      Object.assign(new Error('Connection error: connect ECONNREFUSED'), { retriable: true });

    it('tries a commit that failed on the way again, so the last offsets of a quiet partition land', async () => {
      const held = fakeConsumer();
      const committer = new OffsetCommitter(held.consumer);
      committer.commit('t', 0, '8');
      held.land(away());
      await fake.clock.tickAsync(0);
      should(held.requests).have.length(1);
      await fake.clock.tickAsync(500);
      should(held.requests).eql([
        [{ topic: 't', partition: 0, offset: '8' }],
        [{ topic: 't', partition: 0, offset: '8' }],
      ]);
      held.land();
      await committer.settled();
    });

    it('a newer offset asked for meanwhile replaces the one that failed, and it gives up after five tries', async () => {
      const held = fakeConsumer();
      const committer = new OffsetCommitter(held.consumer);
      committer.commit('t', 0, '8');
      committer.commit('t', 1, '3');
      held.land(away());
      committer.commit('t', 0, '9');
      await fake.clock.tickAsync(500);
      should(held.requests[1]).have.length(2);
      should(held.requests[1]).containDeep([
        { topic: 't', partition: 0, offset: '9' },
        { topic: 't', partition: 1, offset: '3' },
      ]);
      for (let attempt = 2; attempt <= 5; attempt += 1) {
        held.land(away());
        await fake.clock.tickAsync(500 * attempt);
      }
      should(held.requests).have.length(5);
      await committer.settled();
    });
  });
});
