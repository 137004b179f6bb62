// The deployed kafka-trigger and kafka-produce nodes, grouped by their broker node, as the sidebar lists them.
import type { Node, NodeAPI } from 'node-red';
import type { ControlState } from '../consumer/consumer-state';

/** What a running kafka-trigger hands the sidebar (set in src/nodes/kafka-trigger.ts). */
export interface TriggerFigures {
  records: number;
  errors: number;
  inFlight: number;
  deadLettered: number;
  state: ControlState;
  groupId: string;
}

export interface SidebarTrigger extends Node {
  sidebarFigures?: () => TriggerFigures;
}

export interface DeployedNode {
  id: string;
  type: 'kafka-trigger' | 'kafka-produce';
  /** The node's name, else its topic setting. */
  label: string;
  /** Whether the runtime runs it (a disabled flow's node, or one whose settings failed, does not). */
  running: boolean;
  /** A running trigger's figures. */
  figures?: TriggerFigures;
}

export interface BrokerNodes {
  broker: { id: string; label: string };
  nodes: DeployedNode[];
  truncated: boolean;
}

/** The most nodes shown per broker node: the answer and the broker calls stay bounded. */
export const MAX_NODES_PER_BROKER = 200;

interface FlowNodeDefinition {
  id: string;
  type: string;
  name?: string;
  topic?: string;
  broker?: string;
  brokers?: string;
  d?: boolean;
}

/** Kafka nodes by broker node; nodes without a broker node (KAFKA_BROKERS) have none to ask and are left out. */
export function deployedNodes(RED: NodeAPI): BrokerNodes[] {
  const brokers = new Map<string, BrokerNodes>();
  const definitions: FlowNodeDefinition[] = [];
  RED.nodes.eachNode((definition) => void definitions.push(definition));
  for (const definition of definitions) {
    if (definition.type === 'kafka-broker')
      brokers.set(definition.id, {
        broker: { id: definition.id, label: definition.name || definition.brokers || definition.id },
        nodes: [],
        truncated: false,
      });
  }
  for (const definition of definitions) {
    if (definition.type !== 'kafka-trigger' && definition.type !== 'kafka-produce') continue;
    const group = definition.broker ? brokers.get(definition.broker) : undefined;
    if (!group) continue;
    if (group.nodes.length >= MAX_NODES_PER_BROKER) {
      group.truncated = true;
      continue;
    }
    const running = RED.nodes.getNode(definition.id) as SidebarTrigger | null;
    group.nodes.push({
      id: definition.id,
      type: definition.type,
      label: definition.name || definition.topic || definition.type,
      running: running !== null,
      figures: running?.sidebarFigures?.(),
    });
  }
  return [...brokers.values()];
}
