import should from 'should';
import { ControlError, parseControlMessage, parseSeekTarget } from '../../src/consumer/control-message';

function problem(run: () => unknown): { key: string; params: Record<string, string | number> } {
  try {
    run();
  } catch (error) {
    should(error).be.instanceOf(ControlError);
    const { key, params } = error as ControlError;
    return { key, params };
  }
  throw new Error('expected a ControlError');
}

describe('control messages: msg.action and the seek target', () => {
  it('reads the four plain actions', () => {
    for (const action of ['pause', 'resume', 'stop', 'start'])
      should(parseControlMessage({ action, payload: 'ignored' })).eql({ action });
  });

  it('rejects a missing or unknown action', () => {
    should(problem(() => parseControlMessage({}))).eql({ key: 'control-missing-action', params: {} });
    should(problem(() => parseControlMessage({ action: '' })).key).equal('control-missing-action');
    should(problem(() => parseControlMessage({ action: 'Pause' }))).eql({
      key: 'control-unknown-action',
      params: { action: '"Pause"' },
    });
    should(problem(() => parseControlMessage({ action: 7 })).key).equal('control-unknown-action');
  });

  it('reads the three seek targets', () => {
    should(parseSeekTarget({ to: 'earliest' })).eql({ kind: 'earliest' });
    should(parseSeekTarget({ to: 'latest' })).eql({ kind: 'latest' });
    should(parseSeekTarget({ timestamp: '2024-06-18T05:09:00Z' })).eql({
      kind: 'timestamp',
      timestamp: Date.UTC(2024, 5, 18, 5, 9),
    });
    should(parseSeekTarget({ partition: 2, offset: 10 })).eql({
      kind: 'offset',
      topic: undefined,
      partition: 2,
      offset: 10,
    });
    should(parseSeekTarget({ partition: '1', offset: '0', topic: 'orders' })).eql({
      kind: 'offset',
      topic: 'orders',
      partition: 1,
      offset: 0,
    });
    should(parseControlMessage({ action: 'seek', payload: { to: 'latest' } })).eql({
      action: 'seek',
      target: { kind: 'latest' },
    });
  });

  it('rejects bad seek targets, naming what is wrong', () => {
    should(problem(() => parseSeekTarget(undefined)).key).equal('seek-invalid-target');
    should(problem(() => parseSeekTarget('earliest')).key).equal('seek-invalid-target');
    should(problem(() => parseSeekTarget([])).key).equal('seek-invalid-target');
    should(problem(() => parseSeekTarget({})).key).equal('seek-invalid-target');
    should(problem(() => parseSeekTarget({ to: 'earliest', partition: 1 })).key).equal('seek-invalid-target');
    should(problem(() => parseSeekTarget({ partition: 1 })).key).equal('seek-invalid-target');
    should(problem(() => parseSeekTarget({ to: 'oldest' }))).eql({
      key: 'seek-invalid-to',
      params: { value: '"oldest"' },
    });
    for (const timestamp of ['2024-13-01T00:00:00Z', '2024-06-18', 'now', 1718687340000, ''])
      should(problem(() => parseSeekTarget({ timestamp })).key).equal('seek-invalid-timestamp');
    should(problem(() => parseSeekTarget({ partition: -1, offset: 0 })).key).equal('seek-invalid-partition');
    should(problem(() => parseSeekTarget({ partition: 1.5, offset: 0 })).key).equal('seek-invalid-partition');
    should(problem(() => parseSeekTarget({ partition: 0, offset: -5 }))).eql({
      key: 'seek-invalid-offset',
      params: { value: '-5' },
    });
    should(problem(() => parseSeekTarget({ partition: 0, offset: '1e3' })).key).equal('seek-invalid-offset');
    should(problem(() => parseSeekTarget({ partition: 0, offset: 1, topic: '' })).key).equal(
      'seek-invalid-topic',
    );
  });
});
