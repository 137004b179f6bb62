// What the admin actions read from a msg: each input checked before any broker call, with a problem
// that names what is wrong.
import should from 'should';
import {
  createTopicRequestOf,
  groupOf,
  offsetResetRequestOf,
  positionOf,
  resetTargetOf,
  topicOf,
  topicOffsetsRequestOf,
} from '../../src/admin/admin-input';
import { OperationProblem } from '../../src/admin/operation-problem';

/** The problem `run` throws: its key and parameters. */
function problemOf(run: () => unknown): { key: string; params: Record<string, string | number> } {
  try {
    run();
  } catch (error) {
    should(error).be.instanceOf(OperationProblem);
    const { key, params } = error as OperationProblem;
    return { key, params };
  }
  throw new Error('no problem thrown');
}

describe('admin input', () => {
  it('takes the topic from payload.topic, a string payload or msg.topic, in that order', () => {
    should(topicOf({ topic: 'a' }, 'b')).equal('a');
    should(topicOf(' a ', 'b')).equal('a');
    should(topicOf(undefined, 'b')).equal('b');
    should(topicOf(Buffer.from('x'), 'b')).equal('b');
    should(topicOf(['x'], 'b')).equal('b');
  });

  it('refuses a missing or invalid topic, naming what it got', () => {
    should(problemOf(() => topicOf(undefined, undefined))).eql({
      key: 'invalid-topic',
      params: { topic: '' },
    });
    should(problemOf(() => topicOf({ topic: 'no spaces' }, undefined))).eql({
      key: 'invalid-topic',
      params: { topic: 'no spaces' },
    });
    should(problemOf(() => topicOf({ topic: 7 }, undefined)).key).equal('invalid-topic');
    should(problemOf(() => topicOf('..', undefined)).key).equal('invalid-topic');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    should(problemOf(() => topicOf({ topic: circular }, undefined))).eql({
      key: 'invalid-topic',
      params: { topic: '(object)' },
    });
  });

  it('takes the group from payload.group or a string payload, and refuses none', () => {
    should(groupOf({ group: 'g1' })).equal('g1');
    should(groupOf('g2')).equal('g2');
    should(problemOf(() => groupOf({})).key).equal('invalid-group');
    should(problemOf(() => groupOf({ group: '' })).key).equal('invalid-group');
    should(problemOf(() => groupOf({ group: 'x'.repeat(256) })).key).equal('invalid-group');
  });

  it('reads a create-topic request: counts and config optional, config values as text', () => {
    should(createTopicRequestOf({ topic: 't' }, undefined)).eql({
      topic: 't',
      partitions: undefined,
      replicationFactor: undefined,
      config: {},
    });
    should(
      createTopicRequestOf(
        {
          topic: 't',
          partitions: '3',
          replication_factor: 1,
          config: { 'retention.ms': 60000, 'cleanup.policy': 'compact', x: true },
        },
        undefined,
      ),
    ).eql({
      topic: 't',
      partitions: 3,
      replicationFactor: 1,
      config: { 'retention.ms': '60000', 'cleanup.policy': 'compact', x: 'true' },
    });
  });

  it('refuses a bad partition count, replication factor or config', () => {
    for (const partitions of [0, -1, 1.5, 'three', 100001, true])
      should(problemOf(() => createTopicRequestOf({ topic: 't', partitions }, undefined))).eql({
        key: 'invalid-partitions',
        params: { value: String(partitions), max: 100000 },
      });
    should(problemOf(() => createTopicRequestOf({ topic: 't', replication_factor: 0 }, undefined)).key).equal(
      'invalid-replication-factor',
    );
    should(problemOf(() => createTopicRequestOf({ topic: 't', config: 'retention' }, undefined)).key).equal(
      'invalid-config',
    );
    should(problemOf(() => createTopicRequestOf({ topic: 't', config: { a: { b: 1 } } }, undefined))).eql({
      key: 'invalid-config',
      params: { name: 'a', value: '{"b":1}', max: 100 },
    });
  });

  it('reads positions: earliest, latest, milliseconds or a date text', () => {
    should(positionOf('earliest', 'invalid-at')).equal('earliest');
    should(positionOf('latest', 'invalid-at')).equal('latest');
    should(positionOf(1700000000000, 'invalid-at')).eql({ timestamp: 1700000000000 });
    should(positionOf('2026-01-31T12:00:00Z', 'invalid-at')).eql({ timestamp: Date.UTC(2026, 0, 31, 12) });
    for (const bad of ['newest', -5, 1.5, '', null, true])
      should(problemOf(() => positionOf(bad, 'invalid-at')).key).equal('invalid-at');
    should(topicOffsetsRequestOf({ topic: 't' }, undefined)).eql({ topic: 't', at: 'latest' });
  });

  it('reads reset targets: a position, or whole offsets by partition', () => {
    should(resetTargetOf('earliest')).equal('earliest');
    should(resetTargetOf({ '0': 5, '2': '7' })).eql({ offsets: { 0: 5, 2: 7 } });
    for (const bad of [undefined, {}, { a: 1 }, { '0': -1 }, { '0': 1.5 }, { '-1': 3 }, [1]])
      should(problemOf(() => resetTargetOf(bad)).key).equal('invalid-to');
    should(offsetResetRequestOf({ group: 'g', topic: 't', to: 'latest' }, undefined)).eql({
      group: 'g',
      topic: 't',
      to: 'latest',
    });
    should(problemOf(() => offsetResetRequestOf({ topic: 't', to: 'latest' }, undefined)).key).equal(
      'invalid-group',
    );
  });
});
