// The pool of a kafka-broker node: one admin client and one producer for all its users, opened on
// first use, closed when the last user leaves or when the broker node closes (after its users).
import { install, type Clock } from '@sinonjs/fake-timers';
import type { Kafka } from 'kafkajs';
import should from 'should';
import { ConnectionPool } from '../../src/client/connection-pool';
import { FakeAdmin, FakeProducer } from '../support/fake-kafka';

interface Cluster {
  pool: ConnectionPool;
  clients: number;
  admins: FakeAdmin[];
  producers: FakeProducer[];
  adminConnects: number;
  adminDisconnects: number;
  /** When set, the next admin connect() fails with it. */
  adminFailure?: Error;
}

function cluster(): Cluster {
  const state: Cluster = {
    pool: undefined as unknown as ConnectionPool,
    clients: 0,
    admins: [],
    producers: [],
    adminConnects: 0,
    adminDisconnects: 0,
  };
  state.pool = new ConnectionPool(() => {
    state.clients += 1;
    return {
      admin: () => {
        const admin = new FakeAdmin(['t']);
        admin.connect = async () => {
          state.adminConnects += 1;
          const failure = state.adminFailure;
          state.adminFailure = undefined;
          if (failure) throw failure;
        };
        admin.disconnect = async () => {
          state.adminDisconnects += 1;
        };
        state.admins.push(admin);
        return admin;
      },
      producer: () => {
        const producer = new FakeProducer();
        producer.holdConnects = true;
        state.producers.push(producer);
        return producer;
      },
    } as unknown as Kafka;
  });
  return state;
}

/** Lets the pool's promise chains run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('connection pool', () => {
  it('opens nothing until a user asks, then one admin client and one producer for every user', async () => {
    const state = cluster();
    const a = state.pool.acquire('a');
    const b = state.pool.acquire('b');
    should(state.clients).equal(1);
    should(state.admins).have.length(0);
    should(state.producers).have.length(0);
    should(a.kafka).equal(b.kafka);

    const [adminA, adminB] = await Promise.all([a.admin(), b.admin()]);
    should(adminA).equal(adminB);
    should(state.adminConnects).equal(1);

    const producers = [a.producer(), b.producer(), a.reconnectProducer()];
    await flush();
    // Three callers, one producer and one connect at a time.
    should(state.producers).have.length(1);
    should(state.producers[0].connects).equal(1);
    state.producers[0].finishConnect!();
    const [producerA, producerB] = await Promise.all(producers);
    should(producerA).equal(producerB);
  });

  it('closes the admin client and the producer when the last user leaves, and opens anew after', async () => {
    const state = cluster();
    const a = state.pool.acquire('a');
    state.pool.acquire('b');
    await a.admin();
    const producer = a.producer();
    await flush();
    state.producers[0].finishConnect!();
    await producer;

    await state.pool.release('a');
    should(state.adminDisconnects).equal(0);
    should(state.producers[0].disconnects).equal(0);
    await state.pool.release('b');
    should(state.adminDisconnects).equal(1);
    should(state.producers[0].disconnects).equal(1);
    should(state.pool.userCount).equal(0);
    // A user that still holds the old clients is told the connection is closed.
    await should(a.admin()).be.rejectedWith(/closed/);

    const c = state.pool.acquire('c');
    await c.admin();
    should(state.clients).equal(2);
    should(state.adminConnects).equal(2);
  });

  it('tries a new admin client after a failed connect', async () => {
    const state = cluster();
    const a = state.pool.acquire('a');
    state.adminFailure = new Error('connect ECONNREFUSED');
    await should(a.admin()).be.rejectedWith(/ECONNREFUSED/);
    await a.admin();
    should(state.admins).have.length(2);
    should(state.adminConnects).equal(2);
  });

  it('lets a failed producer connect be tried again', async () => {
    const state = cluster();
    const a = state.pool.acquire('a');
    const first = a.reconnectProducer();
    await flush();
    state.producers[0].finishConnect!(new Error('connect ECONNREFUSED'));
    await should(first).be.rejectedWith(/ECONNREFUSED/);
    const second = a.reconnectProducer();
    await flush();
    should(state.producers[0].connects).equal(2);
    state.producers[0].finishConnect!();
    await second;
  });

  describe('when the broker node closes', () => {
    let clock: Clock;
    beforeEach(() => {
      clock = install({ toFake: ['setTimeout', 'clearTimeout'] });
    });
    afterEach(() => clock.uninstall());

    it('waits for its users to leave before it disconnects', async () => {
      const state = cluster();
      const a = state.pool.acquire('a');
      await a.admin();
      let closed = false;
      const closing = state.pool.close(12000).then(() => (closed = true));
      await clock.tickAsync(5000);
      // A closing user may still write a dead letter.
      should(closed).be.false();
      should(state.adminDisconnects).equal(0);
      await state.pool.release('a');
      await closing;
      should(state.adminDisconnects).equal(1);
    });

    it('disconnects after the wait when a user never leaves', async () => {
      const state = cluster();
      const a = state.pool.acquire('a');
      await a.admin();
      let closed = false;
      const closing = state.pool.close(12000).then(() => (closed = true));
      await clock.tickAsync(11999);
      should(closed).be.false();
      await clock.tickAsync(1);
      await closing;
      should(state.adminDisconnects).equal(1);
      await should(a.admin()).be.rejectedWith(/closed/);
    });
  });
});
