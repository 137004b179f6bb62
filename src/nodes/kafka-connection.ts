import type { Node, NodeAPI } from 'node-red';
import { invalidBrokers, resolveBrokers } from '../settings/broker-list';
import { createKafkaClient } from '../client/kafka-client';
import { kafkaLogOptions } from './node-red-logging';
import type { KafkaBrokerNode, KafkaConnection } from './types';

/** Why a node has no Kafka client: a message key under `<node type>.errors` and its parameters. */
export interface ConnectionProblem {
  key: 'broker-node-missing' | 'broker-invalid' | 'no-brokers';
  params: Record<string, string>;
}

export interface OpenedConnection {
  connection: KafkaConnection & { kafka: NonNullable<KafkaConnection['kafka']> };
  /** Hands the shared client back to the broker node; call it once the node has closed. */
  release(): void;
}

/**
 * The Kafka client of a node: its kafka-broker node's shared one or, with no broker node, a
 * private plain-TCP client for the KAFKA_BROKERS brokers.
 */
export function openConnection(
  RED: NodeAPI,
  node: Node,
  brokerId: string | undefined,
): OpenedConnection | { problem: ConnectionProblem } {
  const brokerNode = brokerId ? (RED.nodes.getNode(brokerId) as KafkaBrokerNode | null) : null;
  if (brokerId && !brokerNode) return { problem: { key: 'broker-node-missing', params: { id: brokerId } } };
  const connection = brokerNode ? brokerNode.acquire(node) : privateConnection(RED, node);
  const release = (): void => brokerNode?.release(node);
  if (connection.problem) {
    release();
    return { problem: { key: 'broker-invalid', params: { error: connection.problem } } };
  }
  if (!connection.kafka) {
    release();
    return { problem: { key: 'no-brokers', params: {} } };
  }
  return { connection: { ...connection, kafka: connection.kafka }, release };
}

function privateConnection(RED: NodeAPI, node: Node): KafkaConnection {
  const brokers = resolveBrokers(undefined, RED.util.getSetting(node, 'KAFKA_BROKERS'));
  const invalid = invalidBrokers(brokers);
  if (invalid.length > 0) {
    const problem = RED._(`${node.type}.errors.invalid-env-brokers`, { broker: invalid.join(', ') });
    return { brokers, kafka: undefined, problem };
  }
  const kafka =
    brokers.length > 0 ? createKafkaClient({ brokers, log: kafkaLogOptions(RED, node) }) : undefined;
  return { brokers, kafka };
}
