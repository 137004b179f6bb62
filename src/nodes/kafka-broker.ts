// Before anything loads kafkajs.
import '../client/kafkajs-fixes';
import type { ConnectionOptions } from 'node:tls';
import type { Node, NodeAPI } from 'node-red';
import { resolveBrokerSettings } from '../settings/broker-settings';
import { brokerList } from '../settings/broker-list';
import { resolveSecurity } from '../client/connection-security';
import { loginTokens } from '../client/login-tokens';
import { createKafkaClient } from '../client/kafka-client';
import { SchemaRegistryClient } from '../formats/schema-registry';
import { ConnectionPool } from '../client/connection-pool';
import { BROKER_MIGRATIONS, migrate } from '../settings/migrations';
import { serveRegistryCheck, serveTopicListing } from './broker-editor-routes';
import { kafkaLogOptions } from './node-red-logging';
import type { CheckedConnection, KafkaBrokerConfig, KafkaBrokerCredentials, KafkaBrokerNode } from './types';

/** The core tls-config node's way of handing out its settings. */
interface TlsConfigNode extends Node {
  valid?: boolean;
  addTLSOptions(options: ConnectionOptions): ConnectionOptions;
}

/**
 * How long a closing broker node waits for its users (closed at the same time) to finish with the
 * pool: they may still write dead letters. Inside Node-RED's 15 s close timeout.
 */
const POOL_CLOSE_WAIT_MS = 12000;

export = function register(RED: NodeAPI): void {
  function KafkaBrokerNode(this: Node, exported: KafkaBrokerConfig): void {
    // Node-RED hands the node its flow through hidden properties of `exported`, which a migrated copy lacks.
    RED.nodes.createNode(this, exported);
    const config = migrate(exported, BROKER_MIGRATIONS);
    const node = this as KafkaBrokerNode;
    const checked = checkConnection(node, config, node.credentials ?? {});
    if ('problem' in checked) node.error(checked.problem);
    const registry =
      'registry' in checked && checked.registry ? new SchemaRegistryClient(checked.registry) : undefined;
    const pool = new ConnectionPool(() =>
      createKafkaClient({
        brokers: 'brokers' in checked ? checked.brokers : [],
        clientId: 'clientId' in checked ? checked.clientId : undefined,
        security: 'security' in checked ? checked.security : undefined,
        log: kafkaLogOptions(RED, node),
      }),
    );

    node.acquire = (user) => {
      if ('problem' in checked) return { brokers: [], clients: undefined, problem: checked.problem };
      const { brokers } = checked;
      return { brokers, clients: brokers.length > 0 ? pool.acquire(user.id) : undefined, registry };
    };
    node.release = (user) => pool.release(user.id);
    Object.defineProperty(node, 'userCount', { get: () => pool.userCount });

    // Lent to the editor's Kafka sidebar while an editor looks (src/sidebar); given back on close, so
    // that the pool closes with the broker node.
    const lender = `${node.id}:sidebar`;
    let closed = false;
    node.lendAdmin = () => {
      if (closed || 'problem' in checked || checked.brokers.length === 0) return undefined;
      const clients = pool.acquire(lender);
      return {
        admin: () => clients.admin(),
        kafka: clients.kafka,
        registry,
        giveBack: () => pool.release(lender),
      };
    };
    node.on('close', () => {
      closed = true;
      void pool.release(lender);
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      registry?.close();
      pool
        .close(POOL_CLOSE_WAIT_MS)
        .catch(() => undefined)
        .finally(done);
    });
  }

  /**
   * Resolves the broker list (blank: KAFKA_BROKERS, read the Node-RED way: flow, then global, then
   * process env) and the SASL and TLS settings.
   */
  function checkConnection(
    envScope: Node | undefined,
    config: KafkaBrokerConfig,
    credentials: KafkaBrokerCredentials,
  ): CheckedConnection {
    const resolved = resolveBrokerSettings(config);
    if ('problem' in resolved) {
      return { problem: RED._(`kafka-broker.errors.${resolved.problem.key}`, resolved.problem.params) };
    }
    const { settings } = resolved;
    const list = brokerList(config.brokers, RED.util.getSetting(envScope as Node, 'KAFKA_BROKERS'));
    if ('invalid' in list) {
      return { problem: RED._('kafka-broker.errors.invalid-broker', { broker: list.invalid.join(', ') }) };
    }
    const { brokers } = list;
    let tls: ConnectionOptions | undefined;
    if (config.tls) {
      const tlsNode = RED.nodes.getNode(config.tls) as TlsConfigNode | null;
      if (!tlsNode || tlsNode.valid === false) {
        return { problem: RED._('kafka-broker.errors.invalid-tls', { id: config.tls }) };
      }
      tls = tlsNode.addTLSOptions({});
    }
    // Called once per broker node: its one token cache serves every client of its pool.
    const login = loginTokens({
      mechanism: settings.mechanism,
      oauth: settings.oauth,
      oauthClientSecret: credentials.oauth_client_secret,
      awsRegion: settings.awsRegion,
      awsKeys: {
        accessKeyId: credentials.aws_access_key_id || undefined,
        secretAccessKey: credentials.aws_secret_access_key || undefined,
        sessionToken: credentials.aws_session_token || undefined,
      },
    });
    if ('problem' in login)
      return { problem: RED._(`kafka-broker.errors.${login.problem.key}`, login.problem.params) };
    const result = resolveSecurity({
      mechanism: settings.mechanism,
      ...credentials,
      tls,
      useTls: settings.useTls,
      tokens: login.tokens,
    });
    if ('problem' in result)
      return { problem: RED._(`kafka-broker.errors.${result.problem.key}`, result.problem.params) };
    // The registry's URL scheme decides its TLS: https: uses the tls-config node's options, else the
    // system's CAs, as use_tls does for the brokers; http: stays plain whatever use_tls says.
    const registry = settings.schemaRegistryUrl
      ? {
          url: settings.schemaRegistryUrl,
          username: credentials.schema_registry_username || undefined,
          password: credentials.schema_registry_password || undefined,
          tls,
        }
      : undefined;
    return { brokers, clientId: settings.clientId, security: result.security, registry };
  }

  RED.nodes.registerType('kafka-broker', KafkaBrokerNode, {
    credentials: {
      username: { type: 'text' },
      password: { type: 'password' },
      oauth_client_secret: { type: 'password' },
      aws_access_key_id: { type: 'text' },
      aws_secret_access_key: { type: 'password' },
      aws_session_token: { type: 'password' },
      schema_registry_username: { type: 'text' },
      schema_registry_password: { type: 'password' },
    },
  });
  serveTopicListing(RED, checkConnection);
  serveRegistryCheck(RED, checkConnection);
};
