import type { Node, NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { createKafkaClient } from '../kafka/kafka-client';
import { listTopics } from '../kafka/topic-listing';
import { kafkaLogOptions } from './node-red-logging';
import type { CheckedConnection, KafkaBrokerConfig, KafkaBrokerCredentials } from './types';

type CheckConnection = (
  envScope: Node | undefined,
  config: KafkaBrokerConfig,
  credentials: KafkaBrokerCredentials,
) => CheckedConnection;

/** What the editor sends: the dialog's current values, and the node's id to reuse a stored password. */
interface TopicsRequest extends KafkaBrokerConfig, KafkaBrokerCredentials {}

/** Node-RED's placeholder for a stored password the editor never sees. */
const STORED_PASSWORD = '__PWRD__';

/**
 * POST kafka-trigger/broker/topics: the kafka-broker dialog's "test connection" button. It needs
 * the kafka-broker write permission, like editing the node itself, and its answers never echo a
 * credential.
 */
export function serveTopicListing(RED: NodeAPI, checkConnection: CheckConnection): void {
  RED.httpAdmin.post(
    '/kafka-trigger/broker/topics',
    RED.auth.needsPermission('kafka-broker.write'),
    (req: Request, res: Response) => {
      const body = (req.body ?? {}) as TopicsRequest;
      const stored = body.id
        ? (RED.nodes.getCredentials(body.id) as KafkaBrokerCredentials | undefined)
        : undefined;
      const credentials = {
        username: body.username || stored?.username,
        password: !body.password || body.password === STORED_PASSWORD ? stored?.password : body.password,
      };
      const scope = body.id ? (RED.nodes.getNode(body.id) ?? undefined) : undefined;
      const checked = checkConnection(scope, body, credentials);
      if ('problem' in checked) return void res.json({ error: checked.problem });
      if (checked.brokers.length === 0)
        return void res.json({ error: RED._('kafka-broker.errors.no-brokers') });
      const kafka = createKafkaClient({
        brokers: checked.brokers,
        clientId: checked.clientId,
        security: checked.security,
        retries: 0,
        log: kafkaLogOptions(RED, {
          type: 'kafka-broker',
          id: body.id ?? 'editor',
          name: 'connection test',
        } as Node),
      });
      listTopics(kafka).then((listing) => res.json(listing));
    },
  );
}
