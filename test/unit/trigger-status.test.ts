import should from 'should';
import { statusFor } from '../../src/nodes/trigger-status';

const translate = (key: string, params: Record<string, number>) => `${key}(${JSON.stringify(params)})`;

describe('trigger status badge', () => {
  it('is green with the locale key when caught up, and shows the lag while behind', () => {
    should(statusFor({ kind: 'connected', partitions: 2, lag: 0 }, translate, 'complete')).eql({
      fill: 'green',
      shape: 'dot',
      text: 'kafka-trigger.status.connected',
    });
    should(statusFor({ kind: 'connected', partitions: 2, lag: 42 }, translate, 'complete').text).equal(
      'kafka-trigger.status.connected-lag({"lag":42})',
    );
  });

  it('is a red ring naming the cause while retrying', () => {
    const retrying = (failure: 'unreachable' | 'topic-missing' | 'auth-failed' | 'tls-failed' | 'failed') =>
      statusFor(
        { kind: 'retrying', failure, error: new Error('x'), attempt: 1, delayMs: 1000 },
        translate,
        'complete',
      );
    should(retrying('unreachable')).eql({
      fill: 'red',
      shape: 'ring',
      text: 'kafka-trigger.status.disconnected',
    });
    should(retrying('topic-missing').text).equal('kafka-trigger.status.topic-missing');
    should(retrying('auth-failed').text).equal('kafka-trigger.status.auth-failed');
    should(retrying('tls-failed').text).equal('kafka-trigger.status.tls-failed');
    should(retrying('failed').text).equal('kafka-trigger.status.error');
  });

  it('is a yellow ring while connecting or rebalancing', () => {
    should(statusFor({ kind: 'connecting' }, translate, 'complete')).eql({
      fill: 'yellow',
      shape: 'ring',
      text: 'kafka-trigger.status.connecting',
    });
    should(statusFor({ kind: 'rebalancing' }, translate, 'complete').fill).equal('yellow');
  });

  it('says hand-off when connected on hand-off, the mode that is no longer the default', () => {
    should(statusFor({ kind: 'connected', partitions: 2, lag: 0 }, translate, 'handoff').text).equal(
      'kafka-trigger.status.connected-handoff',
    );
    should(statusFor({ kind: 'connected', partitions: 2, lag: 7 }, translate, 'handoff').text).equal(
      'kafka-trigger.status.connected-lag-handoff({"lag":7})',
    );
    should(
      statusFor({ kind: 'connected', partitions: 6, lag: 0, topics: 3 }, translate, 'handoff').text,
    ).equal('kafka-trigger.status.connected-topics-handoff({"topics":3})');
    should(statusFor({ kind: 'rebalancing' }, translate, 'handoff').text).equal(
      'kafka-trigger.status.rebalancing',
    );
  });
});
