// Before anything loads kafkajs.
import '../client/kafkajs-fixes';
import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import { limitsOf, prepareAdminAction, runPreparedAction, type PreparedAction } from '../admin/admin-actions';
import { operationFailure } from '../admin/operation-problem';
import { resolveAdminSettings } from '../settings/admin-settings';
import { ADMIN_MIGRATIONS, migrate } from '../settings/migrations';
import { openConnection } from './kafka-connection';
import type { KafkaAdminConfig } from './types';

type Done = (error?: Error) => void;
type Send = (msg: NodeMessageInFlow) => void;

const STATUS = 'kafka-admin.status.';

export = function register(RED: NodeAPI): void {
  function KafkaAdminNode(this: Node, exported: KafkaAdminConfig): void {
    RED.nodes.createNode(this, exported);
    const config = migrate(exported, ADMIN_MIGRATIONS);
    const node = this;
    const adminErrorText = (key: string, params: Record<string, string | number> = {}): string =>
      RED._(`kafka-admin.errors.${key}`, params);

    // A node that cannot run says why, and fails every msg it gets with that reason.
    const cannotRun = (key: string, params: Record<string, string | number> = {}): void => {
      const text = adminErrorText(key, params);
      node.error(text);
      node.status({ fill: 'red', shape: 'ring', text: `${STATUS}invalid-settings` });
      node.on('input', (_msg: NodeMessageInFlow, _send: Send, done: Done) => done(new Error(text)));
    };

    const resolved = resolveAdminSettings(config);
    if ('problem' in resolved) return cannotRun(resolved.problem.key, resolved.problem.params);
    const opened = openConnection(RED, node, config.broker);
    if ('problem' in opened) return cannotRun(opened.problem.key, opened.problem.params);
    const { connection, release } = opened;
    const { allowDelete } = resolved.settings;
    let running = 0;

    node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      const { action } = msg as { action?: unknown };
      let prepared: PreparedAction;
      try {
        prepared = prepareAdminAction({ action, payload: msg.payload, topic: msg.topic }, { allowDelete });
      } catch (error) {
        return endWithFailure(action, error, done);
      }
      running += 1;
      node.status({
        fill: 'blue',
        shape: 'dot',
        text: RED._(`${STATUS}running`, { action: String(action) }),
      });
      runPreparedAction(prepared, () => connection.clients.admin(), limitsOf(action)).then(
        (result) => {
          running -= 1;
          if (running === 0) node.status({});
          msg.payload = result;
          send(msg);
          done();
        },
        (error: unknown) => {
          running -= 1;
          endWithFailure(action, error, done);
        },
      );
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      node.status({});
      void release().finally(done);
    });

    /** Ends the msg with an error that names the action and says what went wrong. */
    function endWithFailure(action: unknown, error: unknown, done: Done): void {
      const failure = operationFailure(error);
      const reason =
        'error' in failure ? failure.error : adminErrorText(failure.problem.key, failure.problem.params);
      // An unknown action's message already names it, with the actions there are.
      if ('problem' in failure && failure.problem.key === 'unknown-action') {
        node.status({ fill: 'red', shape: 'ring', text: `${STATUS}unknown-action` });
        return done(new Error(reason));
      }
      node.status({ fill: 'red', shape: 'ring', text: RED._(`${STATUS}failed`, { action: String(action) }) });
      done(new Error(adminErrorText('action-failed', { action: String(action), error: reason })));
    }
  }

  RED.nodes.registerType('kafka-admin', KafkaAdminNode);
};
