// The Subscription on fake timers against the fake admin client: what a session subscribes to and
// how, and the `/regex/` refresh that asks for a new session only when the matched topics change.
import { install } from '@sinonjs/fake-timers';
import should from 'should';
import type { Admin } from 'kafkajs';
import { NoMatchingTopics, Subscription } from '../../src/consumer/subscription';
import { resolveTriggerSettings, type TriggerConfig } from '../../src/settings/trigger-settings';
import { FakeAdmin } from '../support/fake-kafka';

function subscription(admin: FakeAdmin, config: TriggerConfig): Subscription {
  const resolved = resolveTriggerSettings(config, 'node1');
  if (!('settings' in resolved)) throw new Error('test settings are invalid');
  return new Subscription(async () => admin as unknown as Admin, resolved.settings);
}

describe('trigger consumer subscription', () => {
  let clock: ReturnType<typeof install>;
  beforeEach(() => (clock = install()));
  afterEach(() => clock.uninstall());

  it('reads topics matched after the first listing from their first record', async () => {
    const admin = new FakeAdmin(['a1']);
    const topics = subscription(admin, { topic: '/a.*/' });
    should(topics.accept(await topics.topicsNow())).eql(['a1']);
    should(topics.accept(['a1', 'a2'])).eql(['a1', 'a2']);
    should(topics.topicsAtStart).eql(['a1']);
    should(topics.groups(['a1', 'a2'])).eql([
      { topics: ['a1'], fromBeginning: false },
      { topics: ['a2'], fromBeginning: true },
    ]);
    should(() => topics.accept([])).throw(NoMatchingTopics, { pattern: 'a.*' });
  });

  it('lists a /regex/ again every interval while consuming, and asks for a new session when the set changes', async () => {
    const admin = new FakeAdmin(['a1']);
    const topics = subscription(admin, { topic: '/a.*/', topic_refresh_interval: 10 });
    const session = { topics: ['a1'] };
    let consuming: { topics: string[] } | undefined = session;
    const changed: { topics: string[] }[] = [];
    topics.watch(
      () => consuming,
      async (replaced) => void changed.push(replaced),
    );
    await clock.tickAsync(10_000);
    should(admin.listings).equal(1);
    should(changed).be.empty();
    consuming = undefined;
    await clock.tickAsync(10_000);
    should(admin.listings).equal(1);
    consuming = session;
    (admin as unknown as { topics: string[] }).topics.push('a2');
    await clock.tickAsync(10_000);
    should(changed).eql([session]);
    topics.stop();
    await clock.tickAsync(60_000);
    should(admin.listings).equal(2);
  });

  it('runs one refresh at a time, and never refreshes a list', async () => {
    const admin = new FakeAdmin(['a1', 'a2']);
    const topics = subscription(admin, { topic: '/a.*/', topic_refresh_interval: 1 });
    let resubscribes = 0;
    const session = { topics: ['a1'] };
    topics.watch(
      () => session,
      () => new Promise<void>(() => void (resubscribes += 1)),
    );
    await clock.tickAsync(5000);
    should(resubscribes).equal(1);
    should(admin.listings).equal(1);
    const list = subscription(admin, { topic: 'a1, a2', topic_refresh_interval: 1 });
    list.watch(
      () => session,
      async () => void (resubscribes += 1),
    );
    await clock.tickAsync(5000);
    should(admin.listings).equal(1);
    should(await list.topicsNow()).eql(['a1', 'a2']);
  });
});
