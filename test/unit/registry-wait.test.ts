// The wait for the Schema Registry on fake timers: a batch whose schemas cannot be fetched waits with
// the backoff, heartbeating, and is handed on once they load; a close or a stale batch ends the wait.
import { install } from '@sinonjs/fake-timers';
import should from 'should';
import type { EachBatchPayload } from 'kafkajs';
import type { RecordDecoder } from '../../src/formats/record-decoder';
import { schemasLoaded, type RegistryWait } from '../../src/consumer/registry-wait';
import { StopSignal } from '../../src/consumer/stop-signal';

const POLICY = { initialMs: 1000, maxMs: 8000 };

function setUp(failures: number) {
  let prepares = 0;
  const decoder = {
    prepare: async () => {
      prepares += 1;
      if (prepares <= failures) throw new Error('registry unreachable');
    },
  } as unknown as RecordDecoder;
  const events: string[] = [];
  const closing = new StopSignal();
  const wait: RegistryWait = {
    decoder,
    policy: POLICY,
    heartbeatInterval: 300,
    closing,
    onUnavailable: (_error, retry) => events.push(`unavailable ${retry}`),
    onAvailable: () => events.push('available'),
  };
  let heartbeats = 0;
  let stale = false;
  const payload = {
    batch: { messages: [] },
    heartbeat: async () => void (heartbeats += 1),
    isRunning: () => true,
    isStale: () => stale,
  } as unknown as EachBatchPayload;
  return {
    wait,
    payload,
    events,
    closing,
    prepares: () => prepares,
    heartbeats: () => heartbeats,
    goStale: () => (stale = true),
  };
}

describe('registry wait', () => {
  let clock: ReturnType<typeof install>;
  beforeEach(() => (clock = install()));
  afterEach(() => clock.uninstall());

  it('hands a batch on at once when its schemas load', async () => {
    const { wait, payload, events } = setUp(0);
    should(await schemasLoaded(payload, wait)).be.true();
    should(events).be.empty();
  });

  it('waits out an outage with the backoff, heartbeating, and reports the recovery', async () => {
    const { wait, payload, events, prepares, heartbeats } = setUp(2);
    const loaded = schemasLoaded(payload, wait);
    await clock.tickAsync(0);
    should(prepares()).equal(1);
    // The first retry comes within the first backoff (at most 1 s), the second within 2 s more.
    await clock.tickAsync(1000);
    should(prepares()).equal(2);
    await clock.tickAsync(2000);
    should(await loaded).be.true();
    should(events).eql(['unavailable 1', 'unavailable 2', 'available']);
    should(heartbeats()).be.above(2);
  });

  it('gives the batch up at once when the trigger closes, and when the batch goes stale', async () => {
    const closed = setUp(Infinity);
    const waiting = schemasLoaded(closed.payload, closed.wait);
    await clock.tickAsync(100);
    closed.closing.stop();
    await clock.tickAsync(0);
    should(await waiting).be.false();
    should(closed.prepares()).equal(1);

    const stale = setUp(Infinity);
    const staleWaiting = schemasLoaded(stale.payload, stale.wait);
    await clock.tickAsync(0);
    stale.goStale();
    await clock.tickAsync(300);
    should(await staleWaiting).be.false();
    should(stale.prepares()).equal(1);
  });
});
