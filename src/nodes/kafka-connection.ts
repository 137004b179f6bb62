import type { Node, NodeAPI } from 'node-red';
import { brokerList } from '../settings/broker-list';
import { ConnectionPool } from '../client/connection-pool';
import { createKafkaClient } from '../client/kafka-client';
import { kafkaLogOptions } from './node-red-logging';
import type { KafkaBrokerNode, KafkaConnection } from './types';

/** Why a node has no Kafka client: a message key under `<node type>.errors` and its parameters. */
export interface ConnectionProblem {
  key: 'broker-node-missing' | 'broker-invalid' | 'no-brokers';
  params: Record<string, string>;
}

export interface OpenedConnection {
  connection: KafkaConnection & { clients: NonNullable<KafkaConnection['clients']> };
  /** Hands the pooled clients back; call it once the node has closed. */
  release: () => Promise<void>;
}

/**
 * The Kafka clients of a node: its kafka-broker node's pool or, with no broker node, a private
 * plain-TCP pool for the KAFKA_BROKERS brokers.
 */
export function openConnection(
  RED: NodeAPI,
  node: Node,
  brokerId: string | undefined,
): OpenedConnection | { problem: ConnectionProblem } {
  const brokerNode = brokerId ? (RED.nodes.getNode(brokerId) as KafkaBrokerNode | null) : null;
  if (brokerId && !brokerNode) return { problem: { key: 'broker-node-missing', params: { id: brokerId } } };
  const opened = brokerNode ? { connection: brokerNode.acquire(node) } : privateConnection(RED, node);
  const { connection } = opened;
  const release = async (): Promise<void> => {
    if (brokerNode) await brokerNode.release(node);
    else await opened.pool?.release(node.id);
  };
  if (connection.problem) {
    void release();
    return { problem: { key: 'broker-invalid', params: { error: connection.problem } } };
  }
  if (!connection.clients) {
    void release();
    return { problem: { key: 'no-brokers', params: {} } };
  }
  return { connection: { ...connection, clients: connection.clients }, release };
}

function privateConnection(RED: NodeAPI, node: Node): { connection: KafkaConnection; pool?: ConnectionPool } {
  const list = brokerList(undefined, RED.util.getSetting(node, 'KAFKA_BROKERS'));
  const { brokers } = list;
  if ('invalid' in list) {
    const problem = RED._(`${node.type}.errors.invalid-env-brokers`, { broker: list.invalid.join(', ') });
    return { connection: { brokers, clients: undefined, problem } };
  }
  if (brokers.length === 0) return { connection: { brokers, clients: undefined } };
  const pool = new ConnectionPool(() => createKafkaClient({ brokers, log: kafkaLogOptions(RED, node) }));
  return { connection: { brokers, clients: pool.acquire(node.id) }, pool };
}
