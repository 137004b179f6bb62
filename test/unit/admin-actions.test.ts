// msg.action to an operation: an unknown action or bad input is refused before the broker is asked,
// and delete-topic only runs where the node allows it.
import type { Admin } from 'kafkajs';
import should from 'should';
import {
  ADMIN_ACTIONS,
  limitsOf,
  prepareAdminAction,
  runPreparedAction,
} from '../../src/admin/admin-actions';
import { OperationProblem, operationFailure } from '../../src/admin/operation-problem';
import { flush, useFakeClock } from '../support/fake-clock';

const allowed = { allowDelete: true };

function refusal(run: () => unknown): { key: string; params: Record<string, string | number> } {
  try {
    run();
  } catch (error) {
    return (operationFailure(error) as { problem: { key: string; params: Record<string, string | number> } })
      .problem;
  }
  throw new Error('not refused');
}

describe('admin actions', () => {
  const fake = useFakeClock();

  it('refuses an unknown or missing action, listing the actions there are', () => {
    for (const action of ['drop-everything', undefined, 42]) {
      should(refusal(() => prepareAdminAction({ action, payload: {}, topic: undefined }, allowed))).eql({
        key: 'unknown-action',
        params: { action: String(action), actions: ADMIN_ACTIONS.join(', ') },
      });
    }
  });

  it('prepares every action with good input', () => {
    const inputs: Record<string, unknown> = {
      'describe-topic': { topic: 't' },
      'create-topic': { topic: 't', partitions: 2 },
      'delete-topic': { topic: 't' },
      'topic-offsets': { topic: 't', at: 'earliest' },
      'describe-group': { group: 'g' },
      'reset-offsets': { group: 'g', topic: 't', to: { '0': 1 } },
    };
    for (const action of ADMIN_ACTIONS)
      should(
        prepareAdminAction({ action, payload: inputs[action], topic: undefined }, allowed),
      ).be.a.Function();
  });

  it('refuses delete-topic unless the node allows it', () => {
    should(
      refusal(() =>
        prepareAdminAction(
          { action: 'delete-topic', payload: 't', topic: undefined },
          { allowDelete: false },
        ),
      ),
    ).eql({ key: 'delete-not-allowed', params: { topic: 't' } });
  });

  it('refuses bad input of each action that takes some', () => {
    const bad: [string, unknown, string][] = [
      ['describe-topic', {}, 'invalid-topic'],
      ['create-topic', { topic: 't', partitions: 0 }, 'invalid-partitions'],
      ['delete-topic', { topic: '' }, 'invalid-topic'],
      ['topic-offsets', { topic: 't', at: 'yesterday' }, 'invalid-at'],
      ['describe-group', {}, 'invalid-group'],
      ['reset-offsets', { group: 'g', topic: 't', to: 'middle' }, 'invalid-to'],
    ];
    for (const [action, payload, key] of bad)
      should(refusal(() => prepareAdminAction({ action, payload, topic: undefined }, allowed)).key).equal(
        key,
        action,
      );
  });

  it('counts connecting in the operation time', async () => {
    const prepared = prepareAdminAction({ action: 'list-groups', payload: {}, topic: undefined }, allowed);
    let failure: unknown;
    runPreparedAction(prepared, () => new Promise<Admin>(() => undefined), {
      timeoutMs: 2000,
      maxItems: 10,
    }).catch((error: unknown) => (failure = error));
    fake.clock.tick(2000);
    await flush();
    should(failure).be.instanceOf(OperationProblem);
    should(failure).containEql({ key: 'timed-out', params: { call: 'connect', timeout: 2000 } });
  });

  it('gives a reset more time than the other actions, and every action bounded lists', () => {
    should(limitsOf('list-topics')).eql({ timeoutMs: 10000, maxItems: 1000 });
    should(limitsOf('reset-offsets')).eql({ timeoutMs: 30000, maxItems: 1000 });
  });

  it("gives other errors' innermost message", () => {
    const outer = new Error('retries exhausted', { cause: new Error('Connection refused') });
    should(operationFailure(outer)).eql({ error: 'Connection refused' });
  });
});
