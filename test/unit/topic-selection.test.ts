// The topic setting's three forms (one topic, a comma-separated list, /regex/) and what they select.
import should from 'should';
import { assignmentOf, isAssigned, partitionCount } from '../../src/consumer/assignment';
import { ConsumerMetrics } from '../../src/consumer/consumer-metrics';
import { loadMessages } from '../../src/cli/messages';
import { inspectKafkaNodes } from '../../src/cli/flows-file';
import { sameTopics } from '../../src/consumer/subscription';
import { resolveTriggerSettings, type TriggerConfig } from '../../src/settings/trigger-settings';
import { statusFor } from '../../src/nodes/trigger-status';
import { TRIGGER_RULES, parseTopicSelection, selectedTopics } from '../../src/settings/setting-rules';
import type { Batch } from 'kafkajs';

function settingsOf(config: TriggerConfig) {
  const result = resolveTriggerSettings(config, 'n1');
  if ('problem' in result) throw new Error(`unexpected problem ${result.problem.key}`);
  return result.settings;
}

function problemOf(config: TriggerConfig) {
  const result = resolveTriggerSettings(config, 'n1');
  if (!('problem' in result)) throw new Error('expected a problem');
  return result.problem;
}

describe('topic setting: one topic, a list or /regex/', () => {
  it('keeps one topic exactly as before', () => {
    const settings = settingsOf({ topic: ' user-events ' });
    should(settings.topic).equal('user-events');
    should(settings.topics).eql({ kind: 'topics', topics: ['user-events'] });
    should(problemOf({ topic: 'bad topic' })).eql({
      key: 'invalid-topic',
      params: { topic: 'bad topic' },
      setting: 'topic',
    });
    should(problemOf({ topic: '  ' }).key).equal('missing-topic');
  });

  it('reads a comma-separated list, trimmed, in order, duplicates dropped', () => {
    should(settingsOf({ topic: 'a, b,c ,a' }).topics).eql({ kind: 'topics', topics: ['a', 'b', 'c'] });
    should(settingsOf({ topic: 'a, b' }).topic).equal('a, b');
  });

  it('names the bad entry or the empty one of a list', () => {
    should(problemOf({ topic: 'a, b c, d' })).eql({
      key: 'invalid-topic-in-list',
      params: { topic: 'b c' },
      setting: 'topic',
    });
    should(problemOf({ topic: 'a,,b' })).eql({
      key: 'empty-topic-in-list',
      params: { position: 2 },
      setting: 'topic',
    });
    should(problemOf({ topic: 'a, b,' }).params).eql({ position: 3 });
    should(problemOf({ topic: ',a' }).params).eql({ position: 1 });
    should(problemOf({ topic: 'a,..' }).key).equal('invalid-topic-in-list');
  });

  it('reads /regex/ and rejects an invalid or empty one', () => {
    const selection = settingsOf({ topic: '/^orders-.*/' }).topics;
    should(selection.kind).equal('pattern');
    should(selection.kind === 'pattern' && selection.source).equal('^orders-.*');
    const invalid = problemOf({ topic: '/orders-(/' });
    should(invalid.key).equal('invalid-topic-pattern');
    should(invalid.params.pattern).equal('/orders-(/');
    should(String(invalid.params.error)).match(/unterminated group|Invalid regular expression/i);
    should(problemOf({ topic: '//' }).key).equal('invalid-topic-pattern');
    // One slash is neither a pattern nor a topic name.
    should(problemOf({ topic: '/' }).key).equal('invalid-topic');
  });

  it('matches a pattern unanchored (JavaScript RegExp) and never an internal topic', () => {
    const pattern = parseTopicSelection('/orders/');
    if (!('value' in pattern)) throw new Error('pattern rejected');
    const available = ['b-orders', 'orders-eu', 'users', '__consumer_offsets', '__orders'];
    should(selectedTopics(pattern.value, available)).eql(['b-orders', 'orders-eu']);
    const everything = parseTopicSelection('/.*/');
    if (!('value' in everything)) throw new Error('pattern rejected');
    should(selectedTopics(everything.value, available)).eql(['b-orders', 'orders-eu', 'users']);
  });

  it('checks topic_refresh_interval: a positive number of seconds, 60 by default', () => {
    should(settingsOf({ topic: '/a/' }).topicRefreshInterval).equal(60);
    should(settingsOf({ topic: '/a/', topic_refresh_interval: '2' }).topicRefreshInterval).equal(2);
    should(settingsOf({ topic: '/a/', topic_refresh_interval: 0.5 }).topicRefreshInterval).equal(0.5);
    for (const bad of ['0', '-1', 'soon', 'Infinity']) {
      should(problemOf({ topic: '/a/', topic_refresh_interval: bad })).eql({
        key: 'invalid-refresh-interval',
        params: { value: bad },
        setting: 'topic_refresh_interval',
      });
    }
    should(TRIGGER_RULES.topic_refresh_interval.defaultValue).equal(60);
  });
});

describe('member assignment over several topics', () => {
  it('counts, filters and looks up partitions by topic', () => {
    const assignment = assignmentOf({ a: [0, 1], b: [0], other: [3], empty: [] }, ['a', 'b', 'empty']);
    should(assignment).eql({ a: [0, 1], b: [0] });
    should(partitionCount(assignment)).equal(3);
    should(isAssigned(assignment, 'b', 0)).be.true();
    should(isAssigned(assignment, 'b', 1)).be.false();
    should(isAssigned(assignment, 'other', 3)).be.false();
    should(sameTopics(['a', 'b'], ['a', 'b'])).be.true();
    should(sameTopics(['a'], ['a', 'b'])).be.false();
  });
});

describe('metrics over several topics', () => {
  const batch = (topic: string, partition: number, lag: number) =>
    ({ topic, partition, offsetLag: () => String(lag) }) as unknown as Batch;

  it('keys lag by partition for one topic, as before', () => {
    const metrics = new ConsumerMetrics('t', 'g', 'complete');
    metrics.batchHandled(batch('t', 1, 4), 2);
    metrics.batchHandled(batch('t', 0, 3), 2);
    const snapshot = metrics.snapshot(0);
    should(snapshot).containEql({ topic: 't', topics: ['t'], lag: { 0: 3, 1: 4 }, total_lag: 7 });
    should(snapshot.lag_by_topic).eql({ t: { 0: 3, 1: 4 } });
  });

  it('keys lag by topic and partition for a list or pattern, and forgets revoked partitions', () => {
    const metrics = new ConsumerMetrics('/o/', 'g', 'complete', true);
    metrics.subscribedTo(['o1', 'o2']);
    metrics.batchHandled(batch('o2', 0, 5), 1);
    metrics.batchHandled(batch('o1', 0, 1), 1);
    metrics.batchHandled(batch('o1', 1, 2), 1);
    let snapshot = metrics.snapshot(0);
    should(snapshot.topics).eql(['o1', 'o2']);
    should(snapshot.lag).eql({ 'o1:0': 1, 'o1:1': 2, 'o2:0': 5 });
    should(snapshot.lag_by_topic).eql({ o1: { 0: 1, 1: 2 }, o2: { 0: 5 } });
    should(snapshot.total_lag).equal(8);
    metrics.assigned({ o1: [1], o2: [0] });
    snapshot = metrics.snapshot(0);
    should(snapshot.lag).eql({ 'o1:1': 2, 'o2:0': 5 });
    should(snapshot.records).equal(3);
  });
});

describe('status badge for several topics', () => {
  const translate = (key: string, params: Record<string, number>) => `${key}(${JSON.stringify(params)})`;

  it('shows how many topics are subscribed, and the lag while behind', () => {
    should(statusFor({ kind: 'connected', partitions: 6, lag: 0, topics: 3 }, translate, 'complete')).eql({
      fill: 'green',
      shape: 'dot',
      text: 'kafka-trigger.status.connected-topics({"topics":3})',
    });
    should(
      statusFor({ kind: 'connected', partitions: 6, lag: 9, topics: 3 }, translate, 'complete').text,
    ).equal('kafka-trigger.status.connected-topics-lag({"topics":3,"lag":9})');
  });

  it('is a yellow ring while a pattern matches no topic', () => {
    should(
      statusFor(
        { kind: 'no-matching-topics', pattern: 'x', attempt: 1, delayMs: 1000 },
        translate,
        'complete',
      ),
    ).eql({ fill: 'yellow', shape: 'ring', text: 'kafka-trigger.status.no-matching-topics' });
  });
});

describe('command line validate with topic lists and patterns', () => {
  it('names the bad list entry, the empty one, the invalid pattern and the bad refresh interval', () => {
    const trigger = (id: string, props: Record<string, unknown>) => ({
      id,
      type: 'kafka-trigger',
      z: 'tab1',
      broker: '',
      ...props,
    });
    const entries = inspectKafkaNodes(
      [
        { id: 'tab1', type: 'tab' },
        trigger('list', { topic: 'a, b c' }),
        trigger('empty', { topic: 'a,,b' }),
        trigger('pattern', { topic: '/orders-(/' }),
        trigger('refresh', { topic: '/^orders-/', topic_refresh_interval: '0' }),
        trigger('good-list', { topic: 'a, b' }),
        trigger('good-pattern', { topic: '/^orders-/', topic_refresh_interval: 5 }),
        trigger('env', { topic: '${TOPICS}' }),
      ],
      { KAFKA_BROKERS: 'kafka1:9092', TOPICS: 'x,y' },
      loadMessages(['kafka-trigger', 'kafka-broker']),
    );
    const problems = Object.fromEntries(entries.map((entry) => [entry.id, entry.problem]));
    should(problems.list).match(/Invalid topic "b c" in the list/);
    should(problems.empty).match(/empty entry \(entry 2\)/);
    should(problems.pattern).match(/Invalid topic pattern \/orders-\(\/: .*Unterminated group/i);
    should(problems.refresh).match(/Invalid topic_refresh_interval "0"/);
    should(problems['good-list']).be.undefined();
    should(problems['good-pattern']).be.undefined();
    should(problems.env).be.undefined();
    should(entries.find((entry) => entry.id === 'env')!.topic).equal('x,y');
  });
});
