// The record writer's rules with a fake kafkajs producer: batching, offsets, waiting while the
// broker is away, send timeouts, the cap, refusals and close. The real broker tests are in
// test/integration/kafka-produce.test.ts.
import { CompressionTypes, type Message, type RecordMetadata } from 'kafkajs';
import should from 'should';
import type { OutgoingRecord } from '../../src/producer/produce-record';
import { RecordWriter } from '../../src/producer/record-writer';
import {
  WriteFailure,
  type WriterLimits,
  type WriterState,
  type WrittenRecord,
} from '../../src/producer/writer-types';
import { settledOn, until, useFakeClock } from '../support/fake-clock';
import { FakeProducer, okAnswer } from '../support/fake-kafka';

function connectionError(): Error {
  const error = new Error('Connection error: connect ECONNREFUSED 127.0.0.1:1') as Error & { code: string };
  error.name = 'KafkaJSConnectionError';
  error.code = 'ECONNREFUSED';
  return error;
}

function record(value: string, extra: Partial<Message> = {}, topic = 't'): OutgoingRecord {
  return { topic, message: { value, ...extra }, size: 24 + value.length };
}

const LIMITS: WriterLimits = { maxWaiting: 1000, maxBatchRecords: 1000, maxBatchBytes: 1000000 };

function writer(
  producer: FakeProducer,
  options: {
    limits?: Partial<WriterLimits>;
    sendTimeout?: number;
    acks?: -1 | 1 | 0;
    idempotent?: boolean;
  } = {},
): { writer: RecordWriter; states: WriterState[] } {
  const states: WriterState[] = [];
  const created = new RecordWriter({
    producer,
    partitionOf: (message) => message.partition ?? 0,
    acks: options.acks ?? -1,
    idempotent: options.idempotent ?? false,
    compression: CompressionTypes.None,
    sendTimeout: options.sendTimeout ?? 5000,
    limits: { ...LIMITS, ...options.limits },
    backoff: { initialMs: 20, maxMs: 40 },
    onState: (state) => states.push(state),
  });
  created.start();
  return { writer: created, states };
}

/** The write as a Promise: resolved when written, rejected with the WriteFailure. */
function writing(w: RecordWriter, outgoing: OutgoingRecord): Promise<WrittenRecord> {
  return new Promise((resolve, reject) =>
    w.write(outgoing, (failure, written) => (failure ? reject(failure) : resolve(written as WrittenRecord))),
  );
}

/** A promise the test resolves or rejects by hand. */
function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

async function failureOf(promise: Promise<unknown>): Promise<WriteFailure> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  should(outcome).be.instanceOf(WriteFailure);
  return outcome as WriteFailure;
}

describe('record writer', () => {
  const open: RecordWriter[] = [];
  // Before the fake clock's own afterEach, which uninstalls it: the writers close on fake time.
  afterEach(async () => {
    await settledOn(fake.clock, Promise.all(open.splice(0).map((w) => w.close(100))), 'the writers closed');
  });
  const fake = useFakeClock();
  /** Waits for `promise`, moving fake time: retries, backoff and timeouts run on timers. */
  const settled = <T>(promise: Promise<T>) => settledOn(fake.clock, promise);
  function make(producer: FakeProducer, options?: Parameters<typeof writer>[1]) {
    const made = writer(producer, options);
    open.push(made.writer);
    return made;
  }

  it('sends a lone record at once, and the records that arrive meanwhile together in the next request', async () => {
    const producer = new FakeProducer();
    const held = deferred<RecordMetadata[]>();
    producer.answer = (batch) =>
      producer.requests.length === 1 ? held.promise : Promise.resolve(okAnswer(batch));
    const { writer: w, states } = make(producer);
    await until(fake.clock, () => states.some((s) => s.kind === 'connected'), 'connected');
    const first = writing(w, record('a'));
    await until(fake.clock, () => producer.requests.length === 1, 'first request');
    const rest = ['b', 'c', 'd'].map((value) => writing(w, record(value)));
    held.resolve(okAnswer(producer.requests[0]));
    await settled(Promise.all([first, ...rest]));
    should(producer.requestValues).eql([['a'], ['b', 'c', 'd']]);
    should(producer.requests[0]).containDeep({ acks: -1, compression: CompressionTypes.None });
  });

  it("gives each record its offset: the partition's base offset plus its place in the request", async () => {
    const producer = new FakeProducer();
    const { writer: w } = make(producer);
    const written = await settled(
      Promise.all([
        writing(w, record('p0-a', { partition: 0 })),
        writing(w, record('p1-a', { partition: 1 })),
        writing(w, record('p0-b', { partition: 0 })),
        writing(w, record('other', { partition: 0 }, 'u')),
      ]),
    );
    should(producer.requests).have.length(1);
    should(written).eql([
      { topic: 't', partition: 0, offset: 100 },
      { topic: 't', partition: 1, offset: 200 },
      { topic: 't', partition: 0, offset: 101 },
      { topic: 'u', partition: 0, offset: 100 },
    ]);
  });

  it('gives no offset with acks none, where the broker does not answer', async () => {
    const producer = new FakeProducer();
    producer.answer = async () => [];
    const { writer: w } = make(producer, { acks: 0 });
    should(await settled(writing(w, record('x')))).eql({ topic: 't', partition: 0, offset: null });
    should(producer.requests[0].acks).equal(0);
  });

  it('keeps to the batch limits in records and bytes', async () => {
    const producer = new FakeProducer();
    const held = deferred<RecordMetadata[]>();
    producer.answer = (batch) =>
      producer.requests.length === 1 ? held.promise : Promise.resolve(okAnswer(batch));
    const { writer: w } = make(producer, { limits: { maxBatchRecords: 3, maxBatchBytes: 24 * 2 + 20 } });
    const first = writing(w, record('first'));
    await until(fake.clock, () => producer.requests.length === 1, 'first request');
    // Each record is 24 + 10 bytes: two fit in 68 bytes, three do not.
    const rest = Array.from({ length: 5 }, (_, i) => writing(w, record(`value-${i}xx`)));
    held.resolve(okAnswer(producer.requests[0]));
    await settled(Promise.all([first, ...rest]));
    should(producer.requestValues).eql([
      ['first'],
      ['value-0xx', 'value-1xx'],
      ['value-2xx', 'value-3xx'],
      ['value-4xx'],
    ]);
  });

  it('while the broker is away: keeps the records, says how many wait, reconnects with backoff and writes them in order', async () => {
    const producer = new FakeProducer();
    producer.connectError = connectionError();
    const { writer: w, states } = make(producer);
    const writes = ['a', 'b', 'c'].map((value) => writing(w, record(value)));
    await until(fake.clock, () => producer.connects >= 3, 'three connection attempts');
    const retrying = states.filter(
      (s): s is Extract<WriterState, { kind: 'retrying' }> => s.kind === 'retrying',
    );
    should(retrying.map((s) => s.attempt).slice(0, 2)).eql([1, 2]);
    should(retrying[0].failure).equal('unreachable');
    should(w.pending).equal(3);
    should(producer.requests).be.empty();

    producer.connectError = undefined;
    await settled(Promise.all(writes));
    should(producer.requestValues).eql([['a', 'b', 'c']]);
    should(states.at(-1)!.kind).equal('connected');
  });

  it('puts a request the connection lost back in front, and sends it again after reconnecting', async () => {
    const producer = new FakeProducer();
    let failures = 1;
    producer.answer = async (batch) => {
      if (failures-- > 0) throw connectionError();
      return okAnswer(batch);
    };
    const { writer: w, states } = make(producer);
    const written = await settled(Promise.all(['a', 'b'].map((value) => writing(w, record(value)))));
    should(written.map((entry) => entry.offset)).eql([100, 101]);
    should(producer.requestValues).eql([
      ['a', 'b'],
      ['a', 'b'],
    ]);
    should(states.map((s) => s.kind)).containDeepOrdered([
      'connected',
      'retrying',
      'connecting',
      'connected',
    ]);
  });

  it('idempotent: sends a request the connection lost again unchanged, its timed-out records too, before the records that came meanwhile', async () => {
    const producer = new FakeProducer();
    const lost = deferred<RecordMetadata[]>();
    let first = true;
    producer.answer = async (batch) => {
      if (!first) return okAnswer(batch);
      first = false;
      return lost.promise;
    };
    const { writer: w } = make(producer, { idempotent: true, sendTimeout: 1000 });
    const timedOut = failureOf(writing(w, record('a')));
    await until(fake.clock, () => producer.requests.length === 1, 'the first request');
    should((await settled(timedOut)).kind).equal('timed-out');
    const later = writing(w, record('b'));
    lost.reject(connectionError());
    await settled(later);
    // The broker knows a request by its records' sequence numbers: 'a' again alone, then 'b'.
    should(producer.requestValues).eql([['a'], ['a'], ['b']]);
    should(w.pending).equal(0);
  });

  it('keeps the records of a request the broker asks to retry (no leader yet), however long that lasts', async () => {
    const producer = new FakeProducer();
    const noLeader = Object.assign(new Error('There is no leader for this topic-partition'), {
      name: 'KafkaJSProtocolError',
      type: 'LEADER_NOT_AVAILABLE',
      retriable: true,
    });
    // kafkajs gives up after its own retries and wraps the broker's error.
    const gaveUp = Object.assign(new Error(noLeader.message), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      retriable: false,
      originalError: noLeader,
    });
    let failures = 3;
    producer.answer = async (batch) => {
      if (failures-- > 0) throw gaveUp;
      return okAnswer(batch);
    };
    const { writer: w } = make(producer);
    const written = await settled(Promise.all(['a', 'b'].map((value) => writing(w, record(value)))));
    should(written.map((entry) => entry.offset)).eql([100, 101]);
    should(producer.requestValues).eql([
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('fails a record not acknowledged within the send timeout, naming the last error', async () => {
    const producer = new FakeProducer();
    producer.connectError = connectionError();
    const { writer: w } = make(producer, { sendTimeout: 150 });
    const failure = await failureOf(settled(writing(w, record('late'))));
    should(failure.kind).equal('timed-out');
    should(failure.message).equal('not written within 150 ms');
    should((failure.cause as Error).message).match(/ECONNREFUSED/);
    should(w.pending).equal(0);
  });

  it('fails a record beyond the cap at once, and takes records again once there is room', async () => {
    const producer = new FakeProducer();
    producer.connectError = connectionError();
    const { writer: w } = make(producer, { limits: { maxWaiting: 2 } });
    const waiting = [writing(w, record('a')), writing(w, record('b'))];
    const refused = await failureOf(settled(writing(w, record('c'))));
    should(refused.kind).equal('queue-full');
    should(refused.message).equal('2 records are already waiting');
    producer.connectError = undefined;
    await settled(Promise.all(waiting));
    await settled(writing(w, record('d')));
    should(producer.requestValues.flat()).eql(['a', 'b', 'd']);
  });

  it('when the broker refuses a request, halves it until only the bad record fails', async () => {
    const producer = new FakeProducer();
    const tooLarge = Object.assign(
      new Error('The request included a message larger than the max message size'),
      {
        name: 'KafkaJSProtocolError',
        type: 'MESSAGE_TOO_LARGE',
      },
    );
    producer.answer = async (batch) => {
      const values = (batch.topicMessages ?? []).flatMap((t) => t.messages.map((m) => String(m.value)));
      if (values.includes('huge')) throw tooLarge;
      return okAnswer(batch);
    };
    const { writer: w } = make(producer);
    const outcomes = await settled(
      Promise.allSettled(['a', 'huge', 'b'].map((value) => writing(w, record(value)))),
    );
    should(outcomes.map((o) => o.status)).eql(['fulfilled', 'rejected', 'fulfilled']);
    const failure = (outcomes[1] as PromiseRejectedResult).reason as WriteFailure;
    should(failure.kind).equal('refused');
    should(failure.cause).equal(tooLarge);
    should(producer.requestValues).eql([['a', 'huge', 'b'], ['a', 'huge'], ['a'], ['huge'], ['b']]);
  });

  it('on close writes what it accepted, then disconnects; later writes fail as closed', async () => {
    const producer = new FakeProducer();
    const { writer: w } = make(producer);
    const writes = Array.from({ length: 20 }, (_, i) => writing(w, record(`r${i}`)));
    await settled(w.close(2000));
    should((await settled(Promise.allSettled(writes))).every((o) => o.status === 'fulfilled')).be.true();
    should(producer.requestValues.flat()).have.length(20);
    should(producer.disconnects).equal(1);
    should((await failureOf(settled(writing(w, record('after'))))).kind).equal('closed');
  });

  it('on close fails as closed what the broker did not take within the close timeout', async () => {
    const producer = new FakeProducer();
    producer.answer = () => new Promise<RecordMetadata[]>(() => undefined); // never answers
    const { writer: w } = make(producer);
    const inFlight = writing(w, record('in flight'));
    await until(fake.clock, () => producer.requests.length === 1, 'the request');
    const waiting = writing(w, record('waiting'));
    const failures = Promise.all([failureOf(inFlight), failureOf(waiting)]);
    await settled(w.close(100));
    should((await failures).map((failure) => failure.kind)).eql(['closed', 'closed']);
    should(producer.disconnects).equal(1);
  });

  it('on close while backing off, reconnects at once to write what waits', async () => {
    const producer = new FakeProducer();
    producer.connectError = connectionError();
    const states: WriterState[] = [];
    const w = new RecordWriter({
      producer,
      partitionOf: () => 0,
      acks: -1,
      idempotent: false,
      compression: CompressionTypes.None,
      sendTimeout: 60000,
      limits: LIMITS,
      // A backoff far longer than the test: only close's own attempt can connect in time.
      backoff: { initialMs: 60000, maxMs: 60000 },
      onState: (state) => states.push(state),
    });
    w.start();
    const waiting = writing(w, record('kept'));
    await until(fake.clock, () => states.some((s) => s.kind === 'retrying'), 'backing off');
    producer.connectError = undefined;
    await settled(w.close(2000));
    should(await settled(waiting)).eql({ topic: 't', partition: 0, offset: 100 });
  });
});
