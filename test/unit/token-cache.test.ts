import should from 'should';
import { TokenCache, type ExpiringToken } from '../../src/client/token-cache';

/** A token source whose answers the test settles by hand, with a clock the test moves. */
function harness() {
  const clock = { now: 1_000_000 };
  const pending: { resolve(token: ExpiringToken): void; reject(error: Error): void }[] = [];
  let issued = 0;
  const cache = new TokenCache({
    fetch: () =>
      new Promise<ExpiringToken>((resolve, reject) => {
        pending.push({ resolve, reject });
      }),
    now: () => clock.now,
    backoff: { initialMs: 1000, maxMs: 30000 },
  });
  /** Answers the oldest open fetch with a token valid for `lifetimeMs`. */
  const answer = (lifetimeMs: number): ExpiringToken => {
    issued += 1;
    const token = { value: `token-${issued}`, expiresAt: clock.now + lifetimeMs };
    pending.shift()!.resolve(token);
    return token;
  };
  const refuse = (message: string): void => pending.shift()!.reject(new Error(message));
  return { clock, pending, cache, answer, refuse };
}

describe('token cache', () => {
  it('shares one fetch among all callers and reuses the token until 80% of its lifetime', async () => {
    const { clock, pending, cache, answer } = harness();
    const first = [cache.get(), cache.get(), cache.get()];
    should(pending).have.length(1);
    answer(30000);
    const tokens = await Promise.all(first);
    should(tokens.map((token) => token.value)).eql(['token-1', 'token-1', 'token-1']);

    clock.now += 23999;
    should((await cache.get()).value).equal('token-1');
    should(pending).have.length(0);

    clock.now += 1;
    const renewed = cache.get();
    should(pending).have.length(1);
    answer(30000);
    should((await renewed).value).equal('token-2');
  });

  it('keeps handing out a still-valid token while its renewal fails', async () => {
    const { clock, pending, cache, answer, refuse } = harness();
    const first = cache.get();
    answer(30000);
    await first;
    clock.now += 25000;
    const during = cache.get();
    refuse('endpoint down');
    should((await during).value).equal('token-1');
    // Within the backoff: no new request, the valid token again.
    should((await cache.get()).value).equal('token-1');
    should(pending).have.length(0);
  });

  it('after a failure asks again only once the capped backoff has passed', async () => {
    const { clock, pending, cache, refuse, answer } = harness();
    const first = cache.get();
    refuse('401 invalid_client');
    await should(first).be.rejectedWith('401 invalid_client');

    // Every caller inside the backoff gets the same error without a request.
    await should(cache.get()).be.rejectedWith('401 invalid_client');
    should(pending).have.length(0);

    let requests = 1;
    for (let failure = 1; failure < 12; failure += 1) {
      clock.now += 30000;
      const attempt = cache.get();
      should(pending).have.length(1);
      requests += 1;
      refuse('401 invalid_client');
      await should(attempt).be.rejectedWith('401 invalid_client');
    }
    // 12 requests over 5.5 minutes: the backoff caps the rate at about 2 a minute.
    should(requests).equal(12);

    clock.now += 30000;
    const recovered = cache.get();
    answer(30000);
    should((await recovered).value).equal('token-1');
  });

  it('fetches a new token at once when the cached one has expired', async () => {
    const { clock, pending, cache, answer } = harness();
    const first = cache.get();
    answer(1000);
    await first;
    clock.now += 1000;
    const next = cache.get();
    should(pending).have.length(1);
    answer(1000);
    should((await next).value).equal('token-2');
  });
});
