// What the trigger tells, on fake timers: the badge (connected with partitions, lag and topics, or
// paused; the lag at most once a second) and the metrics the consumer's events count.
import { install } from '@sinonjs/fake-timers';
import should from 'should';
import type { Batch } from 'kafkajs';
import { ConsumerReport, type ConnectedView } from '../../src/consumer/consumer-report';
import type { ConsumerState } from '../../src/consumer/consumer-state';
import { NoMatchingTopics } from '../../src/consumer/subscription';
import { resolveTriggerSettings } from '../../src/settings/trigger-settings';

function report(topic: string, view: ConnectedView, delivery?: string) {
  const resolved = resolveTriggerSettings({ topic, delivery }, 'node1');
  if (!('settings' in resolved)) throw new Error('test settings are invalid');
  const states: ConsumerState[] = [];
  return {
    report: new ConsumerReport(
      resolved.settings,
      (state) => void states.push(state),
      () => view,
    ),
    states,
  };
}

const batch = (lag: number) =>
  ({ topic: 't', partition: 0, offsetLag: () => String(lag) }) as unknown as Batch;

describe('trigger consumer report', () => {
  let clock: ReturnType<typeof install>;
  beforeEach(() => (clock = install()));
  afterEach(() => clock.uninstall());

  it('shows connected with the partitions and lag, the topics for several, and paused while paused', () => {
    const view = { paused: false, partitions: 2, topics: 2 };
    const one = report('t', view);
    one.report.connected();
    should(one.states).eql([{ kind: 'connected', partitions: 2, lag: 0 }]);
    const several = report('a, b', view);
    several.report.connected();
    should(several.states).eql([{ kind: 'connected', partitions: 2, lag: 0, topics: 2 }]);
    view.paused = true;
    several.report.connected();
    should(several.states.at(-1)).eql({ kind: 'paused' });
  });

  it('shows the lag after a batch at most once a second', () => {
    const { report: told, states } = report('t', { paused: false, partitions: 1, topics: 1 });
    told.connected();
    told.batchHandled(batch(5), 1);
    should(states).have.length(1);
    clock.tick(1000);
    told.batchHandled(batch(3), 1);
    should(states.at(-1)).eql({ kind: 'connected', partitions: 1, lag: 3 });
    should(told.snapshot(0, 'consuming')).containEql({ records: 2, total_lag: 3 });
  });

  it('counts failures and rebalances, but not a /regex/ that matches nothing yet', () => {
    const { report: told, states } = report('t', { paused: false, partitions: 0, topics: 0 });
    told.retrying(new NoMatchingTopics('a.*'), 1, 500);
    should(states.at(-1)).eql({ kind: 'no-matching-topics', pattern: 'a.*', attempt: 1, delayMs: 500 });
    should(told.snapshot(0, 'consuming')).containEql({ errors: 0 });
    const error = new Error('connect ECONNREFUSED');
    told.retrying(error, 2, 1000);
    told.registryUnavailable(error, 1, 1000);
    told.recordFailed();
    told.rebalancing();
    told.rebalancing(false);
    should(states.at(-1)).eql({ kind: 'rebalancing' });
    should(told.snapshot(0, 'paused')).containEql({ errors: 3, rebalances: 1, state: 'paused' });
  });

  it('tells the delivery in the metrics: complete by default, hand-off when set', () => {
    const view = { paused: false, partitions: 1, topics: 1 };
    should(report('t', view).report.snapshot(0, 'consuming').delivery).equal('complete');
    should(report('t', view, 'handoff').report.snapshot(0, 'consuming').delivery).equal('handoff');
  });
});
