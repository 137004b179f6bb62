// kafkajs's own request queue (one per connection), with the idle checks skipped as every client of
// this package has them (createKafkaClient): no timer is left running on a connection with nothing
// to send, and a request held back by a broker's throttle still goes out when the throttle ends.
import should from 'should';
import RequestQueue from 'kafkajs/src/network/requestQueue';
import { skipIdleRequestChecks } from '../../src/client/request-queue-checks';
import { useFakeClock } from '../support/fake-clock';

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

type Entry = ReturnType<typeof entry>;

type Queue = RequestQueue & {
  push(request: { entry: Entry; expectResponse: boolean; sendRequest: () => void }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(ms: number): void;
  destroy(): void;
};

/** What a kafkajs connection hands its queue for one request. */
function entry(correlationId: number) {
  const noop = (): void => undefined;
  return { correlationId, apiKey: 18, apiName: 'ApiVersions', apiVersion: 0, resolve: noop, reject: noop };
}

function newQueue(): Queue {
  const Queue = RequestQueue as unknown as new (options: object) => Queue;
  return new Queue({
    maxInFlightRequests: null,
    requestTimeout: 30000,
    enforceRequestTimeout: false,
    clientId: 'request-queue-checks',
    broker: '127.0.0.1:9092',
    logger: quiet,
  });
}

describe('kafkajs request queue: idle checks skipped', () => {
  const fake = useFakeClock();
  before(() => skipIdleRequestChecks());

  it('leaves no timer running once a response came and nothing waits', () => {
    const queue = newQueue();
    let sent = 0;
    queue.push({ entry: entry(1), expectResponse: true, sendRequest: () => (sent += 1) });
    queue.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    should(sent).equal(1);
    // Unpatched, kafkajs would now check its empty queue every millisecond for ever.
    should(fake.clock.countTimers()).equal(0);
    fake.clock.tick(1000);
    should(fake.clock.countTimers()).equal(0);
  });

  it('still sends a request held back by a throttle once the throttle ends, then stops checking', () => {
    const queue = newQueue();
    queue.maybeThrottle(500);
    let sent = 0;
    queue.push({ entry: entry(7), expectResponse: true, sendRequest: () => (sent += 1) });
    should(sent).equal(0);
    fake.clock.tick(499);
    should(sent).equal(0);
    fake.clock.tick(1);
    should(sent).equal(1);
    queue.fulfillRequest({ correlationId: 7, payload: Buffer.alloc(0), size: 0 });
    fake.clock.tick(1000);
    should(fake.clock.countTimers()).equal(0);
    queue.destroy();
  });
});
