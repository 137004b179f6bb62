import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import { DEFAULT_BACKOFF } from '../client/backoff';
import { compressionProblem } from '../client/codecs';
import { rootMessage, type FailureKind } from '../client/failure';
import { outgoingTopic, toOutgoingRecord, type ProduceInput } from '../producer/produce-record';
import { resolveProduceSettings } from '../settings/produce-settings';
import { idempotentProducer } from '../producer/idempotent-producer';
import { pooledProducer } from '../producer/pooled-producer';
import { RecordWriter } from '../producer/record-writer';
import {
  WriteFailure,
  type WriteFailureKind,
  type WriterLimits,
  type WriterState,
} from '../producer/writer-types';
import { SchemaEncoder } from '../producer/schema-encoder';
import { PRODUCE_MIGRATIONS, migrate } from '../settings/migrations';
import { TransactionEnded } from '../transactions/transaction-scope';
import { openConnection } from './kafka-connection';
import { transactionScopesOf } from './transaction-scopes';
import { produceProblemStatus, produceStatusFor } from './produce-status';
import type { KafkaProduceConfig, KafkaProduceMetadata } from './types';

/**
 * Records waiting for the broker, per node: enough for half a minute of a busy flow, few enough
 * that an outage costs Node-RED tens of megabytes, not all its memory.
 */
const WRITER_LIMITS: WriterLimits = { maxWaiting: 10000, maxBatchRecords: 5000, maxBatchBytes: 1000000 };
/** Kept inside Node-RED's 15 s close timeout, with room to disconnect. */
const CLOSE_TIMEOUT_MS = 10000;

/** The warning logged for each failed connection attempt, by cause. */
const RETRY_MESSAGE: Record<FailureKind, string> = {
  unreachable: 'retrying',
  'connection-closed': 'connection-closed',
  'topic-missing': 'retrying',
  'auth-failed': 'auth-failed',
  'tls-failed': 'tls-failed',
  failed: 'retrying',
};

/** The message for each way a write can fail. */
const FAILURE_MESSAGE: Record<WriteFailureKind, string> = {
  'queue-full': 'queue-full',
  'timed-out': 'timed-out',
  closed: 'closed',
  refused: 'refused',
};

type Done = (error?: Error) => void;
type Send = (msg: NodeMessageInFlow) => void;

export = function register(RED: NodeAPI): void {
  function KafkaProduceNode(this: Node, exported: KafkaProduceConfig): void {
    // Node-RED hands the node its flow through hidden properties of `exported`, which a migrated copy lacks.
    RED.nodes.createNode(this, exported);
    const config = migrate(exported, PRODUCE_MIGRATIONS);
    const node = this;
    const errorText = (key: string, params: Record<string, string | number> = {}): string =>
      RED._(`kafka-produce.errors.${key}`, params);

    // A node that cannot write says why, and fails every msg it gets with that reason (Catch nodes
    // and a trigger upstream with complete delivery see each one).
    const cannotWrite = (
      key: string,
      statusKey: string,
      params: Record<string, string | number> = {},
    ): void => {
      const text = errorText(key, params);
      node.error(text);
      node.status(produceProblemStatus(statusKey));
      node.on('input', (_msg: NodeMessageInFlow, _send: Send, done: Done) => done(new Error(text)));
    };

    const resolved = resolveProduceSettings(config);
    if ('problem' in resolved)
      return cannotWrite(resolved.problem.key, 'invalid-settings', resolved.problem.params);
    const settings = resolved.settings;
    const unsupported = compressionProblem(settings.compression);
    if (unsupported)
      return cannotWrite('compression-unsupported', 'invalid-settings', { error: unsupported });

    const opened = openConnection(RED, node, config.broker);
    if ('problem' in opened) {
      const statusKey = opened.problem.key === 'no-brokers' ? 'no-brokers' : 'invalid-settings';
      return cannotWrite(opened.problem.key, statusKey, opened.problem.params);
    }
    const { connection, release } = opened;
    if (settings.messageFormat === 'schema-registry' && !connection.registry) {
      void release();
      return cannotWrite('registry-missing', 'invalid-settings');
    }

    const { clients } = connection;
    const transactions = transactionScopesOf(RED);
    let state: WriterState = { kind: 'connecting' };
    let waitingBadge: NodeJS.Timeout | undefined;
    let closing = false;
    const writer = new RecordWriter({
      producer: settings.idempotent ? idempotentProducer(clients) : pooledProducer(clients),
      partitionOf: (message) => clients.partitions.partitionOf(message),
      acks: settings.acks,
      idempotent: settings.idempotent,
      compression: settings.kafkajsCompression,
      sendTimeout: settings.sendTimeout,
      limits: WRITER_LIMITS,
      backoff: DEFAULT_BACKOFF,
      onState: report,
    });
    writer.start();
    const encoder =
      connection.registry && settings.messageFormat === 'schema-registry'
        ? new SchemaEncoder({
            registry: connection.registry,
            subjectOf: settings.subjectOf,
            backoff: DEFAULT_BACKOFF,
            onRetry: (retry) =>
              node.warn(
                errorText('registry-unavailable', {
                  url: connection.registry?.settings.url ?? '',
                  attempt: retry.attempt,
                  delay: Math.round(retry.delayMs / 100) / 10,
                  error: rootMessage(retry.error),
                }),
              ),
          })
        : undefined;

    node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      if (!encoder) return write(msg, msg, send, done);
      const destination = outgoingTopic(msg, settings);
      if ('problem' in destination)
        return done(new Error(errorText(destination.problem.key, destination.problem.params)));
      const { topic } = destination;
      encoder.encode(topic, msg.payload, Date.now() + settings.sendTimeout).then(
        (payload) => write({ ...(msg as ProduceInput), payload }, msg, send, done),
        (error: unknown) => done(new Error(errorText('not-encoded', { topic, error: rootMessage(error) }))),
      );
    });

    /**
     * Writes `input` as a record and, once it is acknowledged, sends `msg` on with where it went. A msg
     * of an exactly-once trigger is written in the transaction of its input record instead.
     */
    function write(input: ProduceInput, msg: NodeMessageInFlow, send: Send, done: Done): void {
      const outgoing = toOutgoingRecord(input, settings);
      if ('problem' in outgoing)
        return done(new Error(errorText(outgoing.problem.key, outgoing.problem.params)));
      const { topic } = outgoing.record;
      const scope = transactions.of(msg, config.broker ?? '');
      if (scope)
        return scope.write(outgoing.record, settings.kafkajsCompression, (error, written) => {
          // An ended transaction delivers its record again from the committed offset: nothing to write now.
          if (error instanceof TransactionEnded) return done();
          if (!written) return done(new Error(errorText('refused', { topic, error: rootMessage(error) })));
          send(Object.assign(msg, { kafka: written }));
          done();
        });
      writer.write(outgoing.record, (failure, written) => {
        if (!written) return done(new Error(failureText(failure, topic)));
        const kafka: KafkaProduceMetadata = written;
        send(Object.assign(msg, { kafka }));
        done();
      });
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      closing = true;
      encoder?.close();
      clearInterval(waitingBadge);
      writer
        .close(CLOSE_TIMEOUT_MS)
        .catch((error: unknown) => node.warn(errorText('close-failed', { error: rootMessage(error) })))
        .finally(() => {
          node.status({});
          void release().finally(done);
        });
    });

    function failureText(failure: unknown, topic: string): string {
      if (!(failure instanceof WriteFailure))
        return errorText('refused', { topic, error: rootMessage(failure) });
      const cause = failure.cause === undefined ? errorText('no-answer') : rootMessage(failure.cause);
      return errorText(FAILURE_MESSAGE[failure.kind], {
        topic,
        error: cause,
        timeout: settings.sendTimeout,
        max: WRITER_LIMITS.maxWaiting,
      });
    }

    function report(next: WriterState): void {
      state = next;
      showStatus();
      // While records wait for the broker, the badge counts them.
      clearInterval(waitingBadge);
      // A closing writer still reports its last attempts; only an open node keeps a badge ticking.
      waitingBadge = next.kind === 'retrying' && !closing ? setInterval(showStatus, 1000) : undefined;
      if (next.kind !== 'retrying') return;
      node.warn(
        errorText(RETRY_MESSAGE[next.failure], {
          brokers: connection.brokers.join(','),
          attempt: next.attempt,
          delay: Math.round(next.delayMs / 100) / 10,
          error: rootMessage(next.error),
          waiting: next.waiting,
        }),
      );
    }

    function showStatus(): void {
      node.status(produceStatusFor(state, writer.pending, (key, params) => RED._(key, params)));
    }
  }

  RED.nodes.registerType('kafka-produce', KafkaProduceNode);
};
