// The logic behind the `kafka-trigger` command line: reads a Node-RED flows file, finds its Kafka
// triggers and checks their settings the way the runtime does, without contacting any broker.
import { readFileSync } from 'node:fs';
import { invalidBrokers } from '../kafka/brokers';
import { resolveTriggerSettings, type TriggerConfig } from '../kafka/trigger-settings';
import { BROKER_MIGRATIONS, TRIGGER_MIGRATIONS, migrate } from '../settings/migrations';
import { defaultGroupId, isSaslMechanism, parseBrokerList } from '../settings/setting-rules';

export interface FlowNode {
  id: string;
  type: string;
  [property: string]: unknown;
}

/** One kafka-trigger as the command line reports it. */
export interface TriggerEntry {
  id: string;
  name: string;
  topic: string;
  group: string;
  /** The broker list after environment lookups; empty when there is none. */
  brokers: string[];
  /** Where the broker list came from. */
  brokersFrom: 'kafka-broker' | 'KAFKA_BROKERS' | 'none';
  disabled: boolean;
  /** What is wrong, in plain English; undefined when the trigger is valid. */
  problem?: string;
}

const WHOLE_ENV_REFERENCE = /^\$\{(\S+)\}$/;

/** An error the command line reports as unreadable input (exit status 2). */
export class FlowsFileError extends Error {}

/** The nodes of a flows file: a plain array, or the `{ flows: [...] }` form of the admin API. */
export function readFlowsFile(path: string): FlowNode[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FlowsFileError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? [] : JSON.parse(text);
  } catch (error) {
    throw new FlowsFileError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  const nodes =
    parsed && typeof parsed === 'object' && !Array.isArray(parsed) && 'flows' in parsed
      ? (parsed as { flows: unknown }).flows
      : parsed;
  if (!Array.isArray(nodes)) throw new FlowsFileError(`${path} does not hold a Node-RED flow (a JSON array)`);
  return nodes.filter(
    (node): node is FlowNode =>
      !!node && typeof node === 'object' && typeof node.id === 'string' && typeof node.type === 'string',
  );
}

type Messages = (key: string, params?: Record<string, string | number>) => string;

/**
 * Every kafka-trigger of the flow with its effective topic, group and brokers, and the first
 * problem that would stop it at deploy. `messages` turns the runtime's message keys into text.
 */
export function inspectTriggers(
  nodes: FlowNode[],
  processEnv: NodeJS.ProcessEnv,
  messages: Messages,
): TriggerEntry[] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const env = new EnvironmentLookup(byId, processEnv);

  return nodes
    .filter((node) => node.type === 'kafka-trigger')
    .map((node) => {
      // Node-RED substitutes the environment before the constructor migrates: the same order here.
      const config = migrate(
        env.substitute(node, [
          'topic',
          'consumer_group',
          'start_from',
          'session_timeout',
          'heartbeat_interval',
          'broker',
        ]),
        TRIGGER_MIGRATIONS,
      );
      const topic = text(config.topic);
      const group = text(config.consumer_group).trim() || defaultGroupId(node.id);
      const tab = byId.get(text(node.z));
      const entry: TriggerEntry = {
        id: node.id,
        name: text(node.name),
        topic,
        group,
        brokers: [],
        brokersFrom: 'none',
        disabled: node.d === true || tab?.disabled === true,
      };

      const unset = env.unsetReferences(node, config, [
        'topic',
        'consumer_group',
        'start_from',
        'session_timeout',
        'heartbeat_interval',
      ]);
      const settings = resolveTriggerSettings(config as TriggerConfig, node.id);

      const brokerId = text(config.broker);
      const brokerNode = brokerId ? byId.get(brokerId) : undefined;
      let brokerConfig: Record<string, unknown> | undefined;
      if (brokerNode?.type === 'kafka-broker') {
        brokerConfig = migrate(
          env.substitute(brokerNode, ['brokers', 'client_id', 'sasl_mechanism', 'tls']),
          BROKER_MIGRATIONS,
        );
        const list = parseBrokerList(text(brokerConfig.brokers));
        if (list.length > 0) {
          entry.brokers = list;
          entry.brokersFrom = 'kafka-broker';
        }
      }
      if (entry.brokersFrom === 'none') {
        const list = parseBrokerList(env.lookup(brokerNode ?? node, 'KAFKA_BROKERS'));
        if (list.length > 0) {
          entry.brokers = list;
          entry.brokersFrom = 'KAFKA_BROKERS';
        }
      }

      if (unset) {
        entry.problem = `${unset.property} is \${${unset.variable}}, but ${unset.variable} is not set in the flow, global or process environment`;
      } else if ('problem' in settings) {
        entry.problem = messages(`kafka-trigger.errors.${settings.problem.key}`, settings.problem.params);
      } else if (brokerId && brokerNode?.type !== 'kafka-broker') {
        entry.problem = messages('kafka-trigger.errors.broker-node-missing', { id: brokerId });
      } else if (entry.brokers.length === 0) {
        entry.problem = messages('kafka-trigger.errors.no-brokers');
      } else if (invalidBrokers(entry.brokers).length > 0) {
        entry.problem = messages('kafka-broker.errors.invalid-broker', {
          broker: invalidBrokers(entry.brokers)[0]!,
        });
      } else if (brokerConfig) {
        entry.problem = brokerProblem(brokerConfig, byId, messages);
      }
      return entry;
    });
}

/** A problem with the kafka-broker node's SASL or TLS settings, if any. */
function brokerProblem(
  broker: Record<string, unknown>,
  byId: Map<string, FlowNode>,
  messages: Messages,
): string | undefined {
  const mechanism = text(broker.sasl_mechanism);
  if (mechanism && !isSaslMechanism(mechanism)) {
    return messages('kafka-broker.errors.invalid-sasl', { mechanism });
  }
  const tls = text(broker.tls);
  if (tls && byId.get(tls)?.type !== 'tls-config') {
    return messages('kafka-broker.errors.invalid-tls', { id: tls });
  }
  return undefined;
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

/**
 * Environment variables the Node-RED way: the node's groups, then its tab, then the global
 * environment of the flows file, then the process environment.
 */
class EnvironmentLookup {
  constructor(
    private readonly byId: Map<string, FlowNode>,
    private readonly processEnv: NodeJS.ProcessEnv,
  ) {}

  lookup(node: FlowNode, name: string): string | undefined {
    const scopes: FlowNode[] = [];
    for (let group = this.byId.get(text(node.g)); group; group = this.byId.get(text(group.g))) {
      if (scopes.includes(group)) break;
      scopes.push(group);
    }
    const tab = this.byId.get(text(node.z));
    if (tab) scopes.push(tab);
    for (const global of this.byId.values()) if (global.type === 'global-config') scopes.push(global);
    for (const scope of scopes) {
      const value = envEntry(scope, name, this.processEnv);
      if (value !== undefined) return value;
    }
    return this.processEnv[name];
  }

  /** A copy of the node's properties with whole-value `${VAR}` references replaced when set. */
  substitute(node: FlowNode, properties: string[]): Record<string, unknown> {
    const copy: Record<string, unknown> = { ...node };
    for (const property of properties) {
      const match = WHOLE_ENV_REFERENCE.exec(text(node[property]));
      if (!match) continue;
      const value = this.lookup(node, match[1]!);
      if (value !== undefined) copy[property] = value;
    }
    return copy;
  }

  /** The first property still holding a `${VAR}` reference whose variable is not set. */
  unsetReferences(
    node: FlowNode,
    substituted: Record<string, unknown>,
    properties: string[],
  ): { property: string; variable: string } | undefined {
    for (const property of properties) {
      const match = WHOLE_ENV_REFERENCE.exec(text(node[property]));
      if (match && substituted[property] === node[property]) return { property, variable: match[1]! };
    }
    return undefined;
  }
}

/** A variable from a tab's, group's or global-config node's `env` list. */
function envEntry(scope: FlowNode, name: string, processEnv: NodeJS.ProcessEnv): string | undefined {
  const list = Array.isArray(scope.env) ? (scope.env as Record<string, unknown>[]) : [];
  const entry = list.find((item) => item && item.name === name);
  if (!entry) return undefined;
  if (entry.type === 'env') return processEnv[text(entry.value)];
  if (typeof entry.value === 'object' && entry.value !== null) return JSON.stringify(entry.value);
  return text(entry.value);
}
