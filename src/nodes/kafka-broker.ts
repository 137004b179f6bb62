import type { Node, NodeAPI } from 'node-red';
import { resolveBrokers } from '../kafka/brokers';
import { createKafkaClient } from '../kafka/kafka-client';
import { SharedClient } from '../kafka/shared-client';
import { kafkaLogOptions } from './node-red-logging';
import type { KafkaBrokerConfig, KafkaBrokerNode } from './types';

export = function register(RED: NodeAPI): void {
  function KafkaBrokerNode(this: Node, config: KafkaBrokerConfig): void {
    RED.nodes.createNode(this, config);
    const node = this as KafkaBrokerNode;
    // Blank list: the KAFKA_BROKERS variable, read the Node-RED way (flow, then global, then process env).
    const brokers = resolveBrokers(config.brokers, RED.util.getSetting(node, 'KAFKA_BROKERS'));
    const shared = new SharedClient(() =>
      createKafkaClient({ brokers, clientId: config.client_id, log: kafkaLogOptions(RED, node) }),
    );

    node.acquire = (user) => ({ brokers, kafka: brokers.length > 0 ? shared.acquire(user.id) : undefined });
    node.release = (user) => shared.release(user.id);
    Object.defineProperty(node, 'userCount', { get: () => shared.userCount });
  }

  RED.nodes.registerType('kafka-broker', KafkaBrokerNode, {
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  });
};
