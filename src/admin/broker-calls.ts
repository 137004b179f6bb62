// Every broker call of an admin operation runs against one deadline, and every list it answers is
// cut to a size: an editor or a flow never waits without end, nor gets a reply of unbounded size.
import type { Admin } from 'kafkajs';
import { OperationProblem } from './operation-problem';

export interface AdminLimits {
  /** The time one operation may take, all its broker calls together. */
  timeoutMs: number;
  /** The most entries a list in a result holds (topics, groups, partitions, members, offsets). */
  maxItems: number;
}

export const DEFAULT_ADMIN_LIMITS: AdminLimits = { timeoutMs: 10000, maxItems: 1000 };

/** A list cut to `max` entries, and whether entries were left out. */
export function bounded<T>(items: readonly T[], max: number): { items: T[]; truncated: boolean } {
  return { items: items.slice(0, max), truncated: items.length > max };
}

/**
 * `promise`, or a timed-out problem naming `call` once `deadline` (a Date.now() time) has passed.
 * The broker call itself goes on; its late answer is ignored.
 */
export function beforeDeadline<T>(
  promise: Promise<T>,
  deadline: number,
  call: string,
  timeoutMs: number,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new OperationProblem('timed-out', { call, timeout: timeoutMs })),
      Math.max(0, deadline - Date.now()),
    );
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/**
 * The admin client with every method that answers a promise held to one deadline, `timeoutMs`
 * from now: what each operation of src/admin works with.
 */
export function timedAdmin(admin: Admin, timeoutMs: number): Admin {
  const deadline = Date.now() + timeoutMs;
  return new Proxy(admin, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const result: unknown = value.apply(target, args);
        return result instanceof Promise ? beforeDeadline(result, deadline, String(name), timeoutMs) : result;
      };
    },
  });
}
