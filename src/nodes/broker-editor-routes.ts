import type { Node, NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { createKafkaClient } from '../client/kafka-client';
import { rootMessage } from '../client/failure';
import { SchemaRegistryClient } from '../formats/schema-registry';
import { listTopics } from '../client/list-topics';
import { kafkaLogOptions } from './node-red-logging';
import type { CheckedConnection, KafkaBrokerConfig, KafkaBrokerCredentials } from './types';

type CheckConnection = (
  envScope: Node | undefined,
  config: KafkaBrokerConfig,
  credentials: KafkaBrokerCredentials,
) => CheckedConnection;

/** What the editor sends: the dialog's current values, and the node's id to reuse a stored password. */
interface CheckRequest extends KafkaBrokerConfig, KafkaBrokerCredentials {}

/** Node-RED's placeholder for a stored password the editor never sees. */
const STORED_PASSWORD = '__PWRD__';

/**
 * POST kafka-trigger/broker/topics: the kafka-broker dialog's "test connection" button. It needs
 * the kafka-broker write permission, like editing the node itself, and its answers never echo a
 * credential.
 */
export function serveTopicListing(RED: NodeAPI, checkConnection: CheckConnection): void {
  serveCheck(RED, '/kafka-trigger/broker/topics', checkConnection, (checked, body, res) => {
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
    // listTopics answers a failure as a listing with an error; it does not reject.
    void listTopics(kafka).then((listing) => res.json(listing));
  });
}

/** POST kafka-trigger/broker/schema-registry: the dialog's "test registry" button; answers the subjects. */
export function serveRegistryCheck(RED: NodeAPI, checkConnection: CheckConnection): void {
  serveCheck(RED, '/kafka-trigger/broker/schema-registry', checkConnection, (checked, _body, res) => {
    if (!checked.registry) return void res.json({ error: RED._('kafka-broker.errors.no-registry-url') });
    const registry = new SchemaRegistryClient(checked.registry);
    registry
      .subjects()
      .then(
        (subjects) => res.json({ subjects }),
        (error: unknown) => res.json({ error: rootMessage(error) }),
      )
      .finally(() => registry.close());
  });
}

type Checked = Exclude<CheckedConnection, { problem: string }>;

/** A route that checks the dialog's settings (with a stored secret when the dialog shows its placeholder) and then tries them. */
function serveCheck(
  RED: NodeAPI,
  path: string,
  checkConnection: CheckConnection,
  attempt: (checked: Checked, body: CheckRequest, res: Response) => void,
): void {
  RED.httpAdmin.post(path, RED.auth.needsPermission('kafka-broker.write'), (req: Request, res: Response) => {
    const body = (req.body ?? {}) as CheckRequest;
    const stored = body.id
      ? (RED.nodes.getCredentials(body.id) as KafkaBrokerCredentials | undefined)
      : undefined;
    const secret = (given: string | undefined, kept: string | undefined) =>
      !given || given === STORED_PASSWORD ? kept : given;
    const credentials: KafkaBrokerCredentials = {
      username: body.username || stored?.username,
      password: secret(body.password, stored?.password),
      oauth_client_secret: secret(body.oauth_client_secret, stored?.oauth_client_secret),
      aws_access_key_id: body.aws_access_key_id || stored?.aws_access_key_id,
      aws_secret_access_key: secret(body.aws_secret_access_key, stored?.aws_secret_access_key),
      aws_session_token: secret(body.aws_session_token, stored?.aws_session_token),
      schema_registry_username: body.schema_registry_username || stored?.schema_registry_username,
      schema_registry_password: secret(body.schema_registry_password, stored?.schema_registry_password),
    };
    const scope = body.id ? (RED.nodes.getNode(body.id) ?? undefined) : undefined;
    const checked = checkConnection(scope, body, credentials);
    if ('problem' in checked) return void res.json({ error: checked.problem });
    attempt(checked, body, res);
  });
}
