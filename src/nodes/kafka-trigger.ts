import type { KafkaMessage } from 'kafkajs';
import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { Settle } from '../delivery/delivery';
import type { TransactionScope } from '../transactions/transaction-scope';
import { transactionScopesOf } from './transaction-scopes';
import { ControlError, parseControlMessage, type ControlProblemKey } from '../consumer/control-message';
import { rootMessage, type FailureKind } from '../client/failure';
import { UndecodableRecord } from '../formats/record-decoder';
import { TriggerConsumer, type ConsumerState } from '../consumer/trigger-consumer';
import type { TriggerData } from '../formats/trigger-data';
import { resolveTriggerSettings, type TriggerSettings } from '../settings/trigger-settings';
import { TRIGGER_MIGRATIONS, migrate } from '../settings/migrations';
import { flowCompletionOf } from './flow-completion';
import { flowLifecycleOf } from './flow-lifecycle';
import { messageIdSource } from './message-ids';
import { openConnection } from './kafka-connection';
import { problemStatus, statusFor } from './trigger-status';
import type { SidebarTrigger } from '../sidebar/deployed-nodes';
import type { KafkaTriggerBatchMessage, KafkaTriggerConfig, KafkaTriggerMessage } from './types';

/** The warning logged for each failed attempt, by cause. */
const RETRY_MESSAGE: Record<FailureKind, string> = {
  unreachable: 'retrying',
  'connection-closed': 'connection-closed',
  'topic-missing': 'topic-missing',
  'auth-failed': 'auth-failed',
  'tls-failed': 'tls-failed',
  failed: 'failed',
};

/** The error a control message that changed nothing ends with. */
const CONTROL_ERROR: Record<ControlProblemKey, string> = {
  'control-missing-action': 'kafka-trigger.errors.control-missing-action',
  'control-unknown-action': 'kafka-trigger.errors.control-unknown-action',
  'control-closed': 'kafka-trigger.errors.control-closed',
  'seek-invalid-target': 'kafka-trigger.errors.seek-invalid-target',
  'seek-invalid-to': 'kafka-trigger.errors.seek-invalid-to',
  'seek-invalid-timestamp': 'kafka-trigger.errors.seek-invalid-timestamp',
  'seek-invalid-partition': 'kafka-trigger.errors.seek-invalid-partition',
  'seek-invalid-offset': 'kafka-trigger.errors.seek-invalid-offset',
  'seek-invalid-topic': 'kafka-trigger.errors.seek-invalid-topic',
  'seek-topic-required': 'kafka-trigger.errors.seek-topic-required',
  'seek-not-owned': 'kafka-trigger.errors.seek-not-owned',
  'seek-offset-out-of-range': 'kafka-trigger.errors.seek-offset-out-of-range',
  'seek-no-partitions': 'kafka-trigger.errors.seek-no-partitions',
  'seek-stopped': 'kafka-trigger.errors.seek-stopped',
  'seek-busy': 'kafka-trigger.errors.seek-busy',
  'seek-failed': 'kafka-trigger.errors.seek-failed',
};

/** Kept well inside Node-RED's 15 s close timeout so that done() is always called in time. */
const CLOSE_TIMEOUT_MS = 10000;
/** How long a closing trigger waits for the flow to finish records in flight before it commits. */
const DRAIN_TIMEOUT_MS = 6000;

export = function register(RED: NodeAPI): void {
  function KafkaTriggerNode(this: Node, exported: KafkaTriggerConfig): void {
    // Node-RED hands the node its flow through hidden properties of `exported`, which a migrated copy lacks.
    RED.nodes.createNode(this, exported);
    const config = migrate(exported, TRIGGER_MIGRATIONS);
    const node = this;
    const flows = flowLifecycleOf(RED);
    // A trigger that cannot start says why in the editor at once, and again once the flows have
    // started, so that Status nodes see it too.
    const fail = (
      errorKey: string,
      statusKey: string,
      params: Record<string, string | number> = {},
    ): void => {
      node.error(RED._(`kafka-trigger.errors.${errorKey}`, params));
      const status = problemStatus(statusKey);
      node.status(status);
      node.on(
        'close',
        flows.afterStart(() => node.status(status)),
      );
    };

    const resolved = resolveTriggerSettings(config, node.id);
    if ('problem' in resolved) return fail(resolved.problem.key, 'invalid-settings', resolved.problem.params);
    const settings = resolved.settings;

    const opened = openConnection(RED, node, config.broker);
    if ('problem' in opened) {
      const statusKey = opened.problem.key === 'no-brokers' ? 'no-brokers' : 'invalid-settings';
      return fail(opened.problem.key, statusKey, opened.problem.params);
    }
    const { connection, release } = opened;
    const { formats } = settings;
    if (
      (formats.message === 'schema-registry' || formats.key === 'schema-registry') &&
      !connection.registry
    ) {
      void release();
      return fail('registry-missing', 'invalid-settings');
    }

    const { delivery } = settings;
    const nextMessageId = messageIdSource();
    const completion = delivery.mode === 'handoff' ? undefined : flowCompletionOf(RED);
    const completeTimeout = delivery.mode === 'handoff' ? 0 : delivery.completeTimeout;
    completion?.acquire();
    const scopes = transactionScopesOf(RED);
    let deadLettered = 0;
    const consumer = new TriggerConsumer({
      clients: connection.clients,
      settings,
      registry: connection.registry,
      hooks: {
        send: (data, record) => node.send(toMessage(data, record, settings, nextMessageId())),
        // Only called in complete and exactly-once delivery, where `completion` exists.
        sendTracked: (data, record, settle, scope) =>
          sendTracked(toMessage(data, record, settings, nextMessageId()), settle, scope),
        sendBatch: (data, records) => node.send(toBatchMessage(data, records, settings, nextMessageId())),
        sendBatchTracked: (data, records, settle, scope) =>
          sendTracked(toBatchMessage(data, records, settings, nextMessageId()), settle, scope),
        onRecordFailed: (failure) => {
          if (failure.deadLetterTopic) deadLettered += 1;
          node.warn(
            RED._(
              `kafka-trigger.errors.${failure.error instanceof UndecodableRecord ? 'undecodable' : 'record'}-${failure.deadLetterTopic ? 'dead-lettered' : 'failed'}`,
              {
                topic: failure.topic,
                partition: failure.partition,
                offset: failure.offset,
                error: rootMessage(failure.error),
                deadLetterTopic: failure.deadLetterTopic ?? '',
              },
            ),
          );
        },
        // No msg: a Catch node would clone it, and cloning is what failed.
        onSendFailed: (failure) =>
          node.error(
            RED._(
              `kafka-trigger.errors.${failure.error instanceof UndecodableRecord ? 'undecodable-passed-over' : 'record-not-sent'}`,
              {
                topic: failure.topic,
                partition: failure.partition,
                offset: failure.offset,
                error: rootMessage(failure.error),
              },
            ),
          ),
        onState: (state) => report(state, connection.brokers),
        flows,
      },
      drainMs: DRAIN_TIMEOUT_MS,
    });

    // Control messages (control: true): msg.action pauses, resumes, stops, starts or seeks the consumer.
    // Every msg ends with done(); one that cannot be applied with done(error), for Catch nodes.
    if (settings.control) {
      node.on('input', (msg: NodeMessageInFlow, _send: unknown, done: (error?: Error) => void) => {
        const failed = (error: unknown): void => {
          if (!(error instanceof ControlError)) return done(new Error(rootMessage(error)));
          done(new Error(RED._(CONTROL_ERROR[error.key], error.params)));
        };
        try {
          consumer.control(parseControlMessage(msg)).then(() => done(), failed);
        } catch (error) {
          failed(error);
        }
      });
    }

    // The editor's Kafka sidebar reads these (src/sidebar/deployed-nodes.ts).
    (node as SidebarTrigger).sidebarFigures = () => ({
      ...consumer.sidebarFigures(),
      deadLettered,
      groupId: settings.groupId,
    });

    const cancelStart = flows.afterStart(() => consumer.start());
    // The second output, when metrics are on, gets the consumer's metrics every metricsInterval seconds.
    const metricsTimer =
      settings.metricsInterval > 0
        ? setInterval(
            () => node.send([null, { topic: 'metrics', payload: consumer.metricsSnapshot() }]),
            settings.metricsInterval * 1000,
          )
        : undefined;

    node.on('close', (_removed: boolean, done: () => void) => {
      cancelStart();
      clearInterval(metricsTimer);
      const timeout = setTimeout(finish, CLOSE_TIMEOUT_MS);
      consumer
        .close(DRAIN_TIMEOUT_MS)
        .catch((error: unknown) =>
          node.warn(RED._('kafka-trigger.errors.close-failed', { error: rootMessage(error) })),
        )
        .finally(finish);
      let finished = false;
      function finish(): void {
        if (finished) return;
        finished = true;
        clearTimeout(timeout);
        // Not awaited: done() must come within Node-RED's close timeout; the pool's disconnect does not reject.
        void release();
        completion?.release();
        node.status({});
        done();
      }
    });

    /** Sends a tracked msg; in exactly-once delivery, kafka-produce nodes find its transaction meanwhile. */
    function sendTracked(
      msg: NodeMessage & { _msgid: string },
      settle: Settle,
      scope?: TransactionScope,
    ): void {
      if (!scope) return completion!.sendTracked(msg, node, completeTimeout, settle);
      const msgid = msg._msgid;
      scopes.enter(msgid, scope, config.broker ?? '');
      completion!.sendTracked(msg, node, completeTimeout, (outcome) => {
        scopes.leave(msgid, outcome.error === undefined && !outcome.dropped);
        settle(outcome);
      });
    }

    function report(state: ConsumerState, brokers: string[]): void {
      node.status(statusFor(state, RED._, delivery.mode));
      if (state.kind === 'registry-unavailable') {
        const url = connection.registry?.settings.url ?? '';
        const delay = Math.round(state.delayMs / 100) / 10;
        const params = { url, attempt: state.attempt, delay, error: rootMessage(state.error) };
        return void node.warn(RED._('kafka-trigger.errors.registry-unavailable', params));
      }
      if (state.kind === 'no-matching-topics') {
        const delay = Math.round(state.delayMs / 100) / 10;
        const params = { pattern: settings.topic, attempt: state.attempt, delay };
        return void node.warn(RED._('kafka-trigger.errors.no-matching-topics', params));
      }
      if (state.kind !== 'retrying') return;
      const params = {
        brokers: brokers.join(','),
        topic: settings.topic,
        attempt: state.attempt,
        delay: Math.round(state.delayMs / 100) / 10,
        error: rootMessage(state.error),
      };
      node.warn(RED._(`kafka-trigger.errors.${RETRY_MESSAGE[state.failure]}`, params));
    }
  }

  RED.nodes.registerType('kafka-trigger', KafkaTriggerNode);
};

function toMessage(
  data: TriggerData,
  record: KafkaMessage,
  settings: TriggerSettings,
  msgid: string,
): KafkaTriggerMessage & { _msgid: string } {
  return {
    _msgid: msgid,
    topic: data.topic,
    payload: data,
    kafka: { groupId: settings.groupId, recordTimestamp: Number(record.timestamp) },
  };
}

function toBatchMessage(
  data: TriggerData[],
  records: KafkaMessage[],
  settings: TriggerSettings,
  msgid: string,
): KafkaTriggerBatchMessage & { _msgid: string } {
  const first = data[0];
  return {
    _msgid: msgid,
    topic: first.topic,
    payload: data,
    kafka: {
      groupId: settings.groupId,
      partition: first.partition,
      recordTimestamps: records.map((record) => Number(record.timestamp)),
    },
  };
}
