import should from 'should';
import { resolveTriggerSettings, type TriggerConfig } from '../../src/settings/trigger-settings';
import { isValidTopicName } from '../../src/settings/setting-rules';

function settingsOf(config: TriggerConfig) {
  const result = resolveTriggerSettings(config, 'abc123');
  if ('problem' in result) throw new Error(`unexpected problem ${result.problem.key}`);
  return result.settings;
}

function problemOf(config: TriggerConfig) {
  const result = resolveTriggerSettings(config, 'abc123');
  if (!('problem' in result)) throw new Error('expected a problem');
  return result.problem;
}

describe('trigger settings', () => {
  it('applies the defaults, complete delivery among them', () => {
    should(settingsOf({ topic: 'user-events' })).eql({
      topic: 'user-events',
      topics: { kind: 'topics', topics: ['user-events'] },
      topicRefreshInterval: 60,
      groupId: 'operion-triggers-abc123',
      startFrom: 'newest',
      sessionTimeout: 10000,
      heartbeatInterval: 3000,
      delivery: { mode: 'complete', maxInFlight: 100, completeTimeout: 60000, deadLetterTopic: undefined },
      isolationLevel: 'read_committed',
      metricsInterval: 0,
      formats: { message: 'auto', key: 'text' },
      output: { kind: 'record' },
      control: false,
    });
  });

  it('reads exactly-once delivery with the settings of complete delivery and its transaction interval', () => {
    should(settingsOf({ topic: 't', delivery: 'exactly-once', dead_letter_topic: 'dlq' }).delivery).eql({
      mode: 'exactly-once',
      transactionInterval: 100,
      maxInFlight: 100,
      completeTimeout: 60000,
      deadLetterTopic: 'dlq',
    });
    should(
      settingsOf({ topic: 't', delivery: 'exactly-once', transaction_interval: '250' }).delivery,
    ).have.property('transactionInterval', 250);
    should(problemOf({ topic: 't', delivery: 'exactly-once', transaction_interval: '0' }).key).equal(
      'invalid-number',
    );
    // Only exactly-once delivery reads it.
    should(
      settingsOf({ topic: 't', delivery: 'complete', transaction_interval: 'soon' }).delivery,
    ).not.have.property('transactionInterval');
  });

  it('reads isolation_level, read_committed unless read_uncommitted is chosen', () => {
    should(settingsOf({ topic: 't', isolation_level: 'read_uncommitted' }).isolationLevel).equal(
      'read_uncommitted',
    );
    should(settingsOf({ topic: 't', isolation_level: '' }).isolationLevel).equal('read_committed');
    should(problemOf({ topic: 't', isolation_level: 'dirty' }).key).equal('invalid-isolation-level');
  });

  it('reads start_timestamp only when starting from a timestamp, as RFC 3339', () => {
    should(settingsOf({ topic: 't', start_timestamp: 'not a time' }).startTimestamp).be.undefined();
    const settings = settingsOf({
      topic: 't',
      start_from: 'timestamp',
      start_timestamp: '2024-06-18T05:09:00Z',
    });
    should(settings.startFrom).equal('timestamp');
    should(settings.startTimestamp).equal(Date.UTC(2024, 5, 18, 5, 9, 0));
    should(
      settingsOf({ topic: 't', start_from: 'timestamp', start_timestamp: '2024-06-18T07:09:00.5+02:00' })
        .startTimestamp,
    ).equal(Date.UTC(2024, 5, 18, 5, 9, 0, 500));
    for (const bad of [
      '',
      '2024-06-18',
      '2024-06-18T05:09:00',
      '2024-02-30T00:00:00Z',
      '2024-06-18T25:00:00Z',
      'yesterday',
    ])
      should(problemOf({ topic: 't', start_from: 'timestamp', start_timestamp: bad })).containEql({
        key: 'invalid-start-timestamp',
        setting: 'start_timestamp',
      });
  });

  it('reads topic_refresh_interval only for a /regex/ topic', () => {
    for (const topic of ['t', 'a, b']) {
      should(settingsOf({ topic, topic_refresh_interval: 'soon' }).topicRefreshInterval).equal(60);
    }
    should(problemOf({ topic: ' /a/ ', topic_refresh_interval: 'soon' }).setting).equal(
      'topic_refresh_interval',
    );
  });

  it('reads control as a boolean, default false', () => {
    should(settingsOf({ topic: 't', control: true }).control).be.true();
    should(settingsOf({ topic: 't', control: 'true' }).control).be.true();
    should(settingsOf({ topic: 't', control: 'false' }).control).be.false();
    should(settingsOf({ topic: 't' }).control).be.false();
    should(problemOf({ topic: 't', control: 'yes' }).key).equal('invalid-control');
  });

  it('reads the metrics interval in whole seconds', () => {
    should(settingsOf({ topic: 't', metrics_interval: '15' }).metricsInterval).equal(15);
    should(problemOf({ topic: 't', metrics_interval: -1 }).key).equal('invalid-count');
  });

  it('reads the batch output settings with their defaults, only in batch output', () => {
    should(settingsOf({ topic: 't', output: 'batch' }).output).eql({
      kind: 'batch',
      maxSize: 1000,
      maxWait: 0,
    });
    should(settingsOf({ topic: 't', output: 'batch', max_batch_size: '50', max_batch_wait: 20 }).output).eql({
      kind: 'batch',
      maxSize: 50,
      maxWait: 20,
    });
    should(settingsOf({ topic: 't', output: 'record', max_batch_size: 'x' }).output).eql({ kind: 'record' });
    should(problemOf({ topic: 't', output: 'batches' })).eql({
      key: 'invalid-output',
      setting: 'output',
      params: { setting: 'output', value: 'batches' },
    });
    should(problemOf({ topic: 't', output: 'batch', max_batch_size: 0 }).key).equal('invalid-count');
    should(problemOf({ topic: 't', output: 'batch', max_batch_wait: -5 }).key).equal('invalid-whole-number');
    should(problemOf({ topic: 't', output: 'batch', max_batch_wait: '1.5' }).key).equal(
      'invalid-whole-number',
    );
  });

  it('reads the complete delivery settings with their defaults', () => {
    should(settingsOf({ topic: 't', delivery: 'complete' }).delivery).eql({
      mode: 'complete',
      maxInFlight: 100,
      completeTimeout: 60000,
      deadLetterTopic: undefined,
    });
    should(
      settingsOf({
        topic: 't',
        delivery: 'complete',
        max_in_flight: '5',
        dead_letter_topic: 'dlq',
        complete_timeout: 900,
      }).delivery,
    ).eql({ mode: 'complete', maxInFlight: 5, completeTimeout: 900, deadLetterTopic: 'dlq' });
  });

  it('rejects unknown delivery modes, bad caps and bad dead-letter topics', () => {
    should(problemOf({ topic: 't', delivery: 'later' }).key).equal('invalid-delivery');
    should(problemOf({ topic: 't', delivery: 'complete', max_in_flight: 0 }).key).equal('invalid-count');
    should(problemOf({ topic: 't', delivery: 'complete', dead_letter_topic: 'bad name' }).key).equal(
      'invalid-topic',
    );
  });

  it('uses a custom group as given and a blank one as the generated id', () => {
    should(settingsOf({ topic: 't', consumer_group: 'operion-order-processor' }).groupId).equal(
      'operion-order-processor',
    );
    should(settingsOf({ topic: 't', consumer_group: '  ' }).groupId).equal('operion-triggers-abc123');
  });

  it('accepts numbers as numeric strings', () => {
    const settings = settingsOf({ topic: 't', session_timeout: '30000', heartbeat_interval: '5000' });
    should(settings.sessionTimeout).equal(30000);
    should(settings.heartbeatInterval).equal(5000);
  });

  it('accepts earliest and rejects an unknown start', () => {
    should(settingsOf({ topic: 't', start_from: 'earliest' }).startFrom).equal('earliest');
    should(problemOf({ topic: 't', start_from: 'latest' }).key).equal('invalid-start-from');
  });

  it('rejects a missing or invalid topic and names it', () => {
    should(problemOf({}).key).equal('missing-topic');
    should(problemOf({ topic: 'bad topic!' })).eql({
      key: 'invalid-topic',
      params: { topic: 'bad topic!' },
      setting: 'topic',
    });
    should(problemOf({ topic: 'x'.repeat(250) }).key).equal('invalid-topic');
  });

  it('rejects numbers that are not positive whole milliseconds', () => {
    should(problemOf({ topic: 't', session_timeout: 'soon' }).params).eql({
      setting: 'session_timeout',
      value: 'soon',
    });
    should(problemOf({ topic: 't', heartbeat_interval: -1 }).key).equal('invalid-number');
    should(problemOf({ topic: 't', heartbeat_interval: 1.5 }).key).equal('invalid-number');
  });

  it('rejects a heartbeat that is not below the session timeout', () => {
    should(problemOf({ topic: 't', session_timeout: 3000, heartbeat_interval: 3000 })).eql({
      key: 'heartbeat-not-below-session',
      params: { heartbeat: 3000, session: 3000 },
      setting: 'heartbeat_interval',
    });
  });

  it('knows Kafka topic name rules', () => {
    should(isValidTopicName('user-events.v1_x')).be.true();
    should(isValidTopicName('x'.repeat(249))).be.true();
    should(isValidTopicName('.')).be.false();
    should(isValidTopicName('..')).be.false();
    should(isValidTopicName('a/b')).be.false();
    should(isValidTopicName('')).be.false();
  });
});
