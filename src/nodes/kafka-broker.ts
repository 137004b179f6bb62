import type { ConnectionOptions } from 'node:tls';
import type { Node, NodeAPI } from 'node-red';
import { invalidBrokers, resolveBrokers } from '../kafka/brokers';
import { resolveSecurity, type SecuritySettings } from '../kafka/connection-security';
import { createKafkaClient } from '../kafka/kafka-client';
import { SharedClient } from '../kafka/shared-client';
import { kafkaLogOptions } from './node-red-logging';
import type { KafkaBrokerConfig, KafkaBrokerNode } from './types';

/** The core tls-config node's way of handing out its settings. */
interface TlsConfigNode extends Node {
  valid?: boolean;
  addTLSOptions(options: ConnectionOptions): ConnectionOptions;
}

export = function register(RED: NodeAPI): void {
  function KafkaBrokerNode(this: Node, config: KafkaBrokerConfig): void {
    RED.nodes.createNode(this, config);
    const node = this as KafkaBrokerNode;
    // Blank list: the KAFKA_BROKERS variable, read the Node-RED way (flow, then global, then process env).
    const brokers = resolveBrokers(config.brokers, RED.util.getSetting(node, 'KAFKA_BROKERS'));
    const settings = checkSettings(node, config, brokers);
    if (typeof settings === 'string') node.error(settings);
    const shared = new SharedClient(() =>
      createKafkaClient({
        brokers,
        clientId: config.client_id,
        security: settings as SecuritySettings,
        log: kafkaLogOptions(RED, node),
      }),
    );

    node.acquire = (user) => {
      if (typeof settings === 'string') return { brokers, kafka: undefined, problem: settings };
      return { brokers, kafka: brokers.length > 0 ? shared.acquire(user.id) : undefined };
    };
    node.release = (user) => shared.release(user.id);
    Object.defineProperty(node, 'userCount', { get: () => shared.userCount });
  }

  /** The security settings, or a translated message saying what is wrong with the node's settings. */
  function checkSettings(
    node: KafkaBrokerNode,
    config: KafkaBrokerConfig,
    brokers: string[],
  ): SecuritySettings | string {
    const invalid = invalidBrokers(brokers);
    if (invalid.length > 0)
      return RED._('kafka-broker.errors.invalid-broker', { broker: invalid.join(', ') });
    let tls: ConnectionOptions | undefined;
    if (config.tls) {
      const tlsNode = RED.nodes.getNode(config.tls) as TlsConfigNode | null;
      if (!tlsNode || tlsNode.valid === false)
        return RED._('kafka-broker.errors.invalid-tls', { id: config.tls });
      tls = tlsNode.addTLSOptions({});
    }
    const credentials = node.credentials ?? {};
    const result = resolveSecurity({
      mechanism: config.sasl_mechanism,
      username: credentials.username,
      password: credentials.password,
      tls,
    });
    return 'problem' in result
      ? RED._(`kafka-broker.errors.${result.problem.key}`, result.problem.params)
      : result.security;
  }

  RED.nodes.registerType('kafka-broker', KafkaBrokerNode, {
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  });
};
