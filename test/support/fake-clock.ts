// Fake timers for the unit tests: time moves only when a test moves it, so no test waits for real
// time and none depends on how busy the machine is.
import { install, type Clock } from '@sinonjs/fake-timers';

/**
 * Installs a fake clock around each test of the calling suite: setTimeout, setInterval (also those
 * of node:timers/promises) and Date. setImmediate stays real, so flush() lets queued work run.
 */
export function useFakeClock(): { readonly clock: Clock } {
  const holder = {} as { clock: Clock };
  beforeEach(() => {
    holder.clock = install({
      now: Date.now(),
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
  });
  afterEach(() => holder.clock.uninstall());
  return holder;
}

/** Lets the work already queued (promise jobs, immediates) run; a flush, not a wait for time. */
export async function flush(turns = 5): Promise<void> {
  for (let turn = 0; turn < turns; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Moves fake time from timer to timer, letting queued work run in between, until `check` returns
 * something other than false or undefined; fails once `maxMs` of fake time passed without it.
 */
export async function until<T>(
  clock: Clock,
  check: () => T,
  what: string,
  maxMs = 60000,
): Promise<Exclude<T, false | undefined>> {
  const deadline = clock.now + maxMs;
  for (;;) {
    await flush();
    const result = check();
    if (result !== false && result !== undefined) return result as Exclude<T, false | undefined>;
    if (clock.now >= deadline || clock.countTimers() === 0)
      throw new Error(`${what} did not happen within ${maxMs} ms of fake time`);
    await clock.nextAsync();
  }
}

/** Waits for `promise`, moving fake time as `until` does; gives its value or throws its error. */
export async function settledOn<T>(clock: Clock, promise: Promise<T>, what = 'the promise'): Promise<T> {
  let done = false;
  const tracked = promise.finally(() => (done = true));
  tracked.catch(() => undefined);
  await until(clock, () => done, what);
  return tracked;
}
