// The dead-letter sender against a producer that always fails, on fake timers: it retries with
// backoff, and a close ends a retry wait at once, with no send after it.
import { install } from '@sinonjs/fake-timers';
import should from 'should';
import type { KafkaMessage, Producer } from 'kafkajs';
import { DeadLetterSender } from '../../src/consumer/dead-letter-sender';
import { StopSignal } from '../../src/consumer/stop-signal';

const POLICY = { initialMs: 1000, maxMs: 30000 };
const RECORD = { key: null, value: Buffer.from('v'), headers: {}, offset: '5' } as unknown as KafkaMessage;

/** A producer whose every send fails, counting the sends. */
function failingProducer(): { producer: Producer; sends: () => number } {
  let sends = 0;
  const producer = {
    send: async () => {
      sends += 1;
      throw new Error('broker unreachable');
    },
  } as unknown as Producer;
  return { producer, sends: () => sends };
}

describe('dead-letter sender', () => {
  let clock: ReturnType<typeof install>;
  beforeEach(() => (clock = install()));
  afterEach(() => clock.uninstall());

  it('retries a failed send after a backoff', async () => {
    const { producer, sends } = failingProducer();
    const closing = new StopSignal();
    const sender = new DeadLetterSender('dlq', async () => producer, POLICY, closing);
    const sent = sender.send('t', 0, RECORD, new Error('flow failed'));
    sent.catch(() => undefined);
    await clock.tickAsync(0);
    should(sends()).equal(1);
    await clock.tickAsync(POLICY.maxMs * 3);
    should(sends()).be.above(2);
    closing.stop();
    await should(sent).be.rejectedWith('broker unreachable');
  });

  it('stops at once when the trigger closes while it backs off, and never sends again', async () => {
    const { producer, sends } = failingProducer();
    const closing = new StopSignal();
    const sender = new DeadLetterSender('dlq', async () => producer, POLICY, closing);
    let settled = false;
    const sent = sender.send('t', 0, RECORD, new Error('flow failed'));
    sent.then(
      () => (settled = true),
      () => (settled = true),
    );
    await clock.tickAsync(0);
    should(sends()).equal(1);
    closing.stop();
    // No time passes: the backoff wait must end with the close, not with its timer.
    await clock.tickAsync(0);
    should(settled).be.true();
    await should(sent).be.rejectedWith('broker unreachable');
    await clock.tickAsync(POLICY.maxMs * 10);
    should(sends()).equal(1);
  });
});
