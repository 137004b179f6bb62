// The trigger consumer's phases as a state machine: every pair of phases is tried against the
// transition table, from a lifecycle driven to the first phase by allowed transitions only.
import { install } from '@sinonjs/fake-timers';
import should from 'should';
import type { Consumer } from 'kafkajs';
import type { BatchDelivery } from '../../src/delivery/delivery';
import {
  Lifecycle,
  PHASES,
  RefusedTransition,
  type Phase,
  type PhaseName,
  type Session,
} from '../../src/consumer/lifecycle';

/** The transitions the trigger makes, written out: a change of the table must change this too. */
const ALLOWED = new Set([
  'idle → connecting',
  'idle → stopped',
  'idle → closed',
  'connecting → consuming',
  'connecting → backing-off',
  'connecting → stopped',
  'connecting → closed',
  'consuming → backing-off',
  'consuming → resubscribing',
  'consuming → stopped',
  'consuming → closed',
  'backing-off → connecting',
  'backing-off → stopped',
  'backing-off → closed',
  'resubscribing → connecting',
  'resubscribing → stopped',
  'resubscribing → closed',
  'stopped → connecting',
  'stopped → closed',
]);

const session = {
  consumer: {} as Consumer,
  delivery: {} as BatchDelivery,
  awaitingFetch: false,
  startLookUps: 0,
  topics: [],
} satisfies Session;

function phaseNamed(name: PhaseName): Phase {
  switch (name) {
    case 'connecting':
    case 'consuming':
      return { name, session };
    case 'backing-off':
      return { name, timer: undefined };
    case 'resubscribing':
      return { name, leaving: Promise.resolve() };
    default:
      return { name };
  }
}

/** The shortest way from idle to `target` through allowed transitions. */
function pathTo(target: PhaseName): PhaseName[] {
  const paths = new Map<PhaseName, PhaseName[]>([['idle', []]]);
  const queue: PhaseName[] = ['idle'];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const to of PHASES)
      if (ALLOWED.has(`${from} → ${to}`) && !paths.has(to)) {
        paths.set(to, [...paths.get(from)!, to]);
        queue.push(to);
      }
  }
  const path = paths.get(target);
  if (!path) throw new Error(`${target} cannot be reached from idle`);
  return path;
}

function lifecycleIn(name: PhaseName): Lifecycle {
  const lifecycle = new Lifecycle();
  for (const step of pathTo(name)) lifecycle.enter(phaseNamed(step));
  should(lifecycle.phase.name).equal(name);
  return lifecycle;
}

describe('trigger consumer lifecycle phases', () => {
  it('starts idle, and every phase can be reached from there', () => {
    should(new Lifecycle().phase).eql({ name: 'idle' });
    for (const name of PHASES) lifecycleIn(name);
  });

  for (const from of PHASES)
    for (const to of PHASES) {
      const allowed = ALLOWED.has(`${from} → ${to}`);
      it(`${allowed ? 'allows' : 'refuses'} ${from} → ${to}`, () => {
        const lifecycle = lifecycleIn(from);
        const before = lifecycle.phase;
        should(lifecycle.allows(to)).equal(allowed);
        const next = phaseNamed(to);
        if (allowed) {
          should(lifecycle.enter(next)).equal(before);
          should(lifecycle.phase).equal(next);
        } else {
          should(() => lifecycle.enter(next)).throw(RefusedTransition, { from, to });
          should(lifecycle.phase).equal(before);
        }
      });
    }

  it('tells each change to its listener, with the phase left and the one entered', () => {
    const changes: string[] = [];
    const lifecycle = new Lifecycle((previous, next) => changes.push(`${previous.name} → ${next.name}`));
    lifecycle.enter(phaseNamed('connecting'));
    lifecycle.enter(phaseNamed('closed'));
    should(() => lifecycle.enter(phaseNamed('connecting'))).throw(RefusedTransition);
    should(changes).eql(['idle → connecting', 'connecting → closed']);
  });

  it('knows the session of a consumer only while that session runs', () => {
    const lifecycle = new Lifecycle();
    lifecycle.enter(phaseNamed('connecting'));
    should(lifecycle.sessionOf(session.consumer)).equal(session);
    should(lifecycle.sessionOf({} as Consumer)).be.undefined();
    lifecycle.enter(phaseNamed('backing-off'));
    should(lifecycle.session).be.undefined();
    should(lifecycle.sessionOf(session.consumer)).be.undefined();
  });

  it('ends the backoff timer of the backing-off phase it leaves', () => {
    const clock = install();
    try {
      let retried = false;
      const lifecycle = lifecycleIn('backing-off');
      const backingOff = lifecycle.phase as Phase & { name: 'backing-off' };
      backingOff.timer = setTimeout(() => (retried = true), 1000);
      lifecycle.enter(phaseNamed('closed'));
      clock.tick(5000);
      should(retried).be.false();
    } finally {
      clock.uninstall();
    }
  });
});
