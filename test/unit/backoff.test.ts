import should from 'should';
import { retryDelay } from '../../src/client/backoff';

describe('retry backoff', () => {
  const policy = { initialMs: 1000, maxMs: 30000 };

  it('grows exponentially and stays between half and all of the step', () => {
    should(retryDelay(1, policy, () => 0)).equal(500);
    should(retryDelay(1, policy, () => 1)).equal(1000);
    should(retryDelay(4, policy, () => 0)).equal(4000);
    should(retryDelay(4, policy, () => 1)).equal(8000);
  });

  it('is capped near 30 s however many attempts failed', () => {
    should(retryDelay(6, policy, () => 1)).equal(30000);
    should(retryDelay(1000, policy, () => 1)).equal(30000);
    should(retryDelay(1000, policy, () => 0)).equal(15000);
  });
});
