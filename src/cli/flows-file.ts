// The logic behind the `kafka-trigger` command line: reads a Node-RED flows file, finds its Kafka
// triggers and producers and checks their settings the way the runtime does, without contacting any broker.
import { readFileSync } from 'node:fs';
import { resolveBrokerSettings, type BrokerConfig } from '../settings/broker-settings';
import { brokerList } from '../settings/broker-list';
import { resolveProduceSettings, type ProduceConfig } from '../settings/produce-settings';
import { resolveTriggerSettings, type TriggerConfig } from '../settings/trigger-settings';
import {
  BROKER_MIGRATIONS,
  PRODUCE_MIGRATIONS,
  TRIGGER_MIGRATIONS,
  migrate,
  type MigrationStep,
} from '../settings/migrations';
import {
  TRIGGER_RULES,
  groupIdOf,
  parseBrokerList,
  text,
  type DeliveryMode,
  type SettingProblem,
} from '../settings/setting-rules';
import { mskIamProblem } from '../client/msk-iam-token';
import { FlowEnvironment, type Substitution } from './environment';
import type { Messages } from './messages';

export interface FlowNode {
  id: string;
  type: string;
  [property: string]: unknown;
}

/** The node types the command line checks. */
export const KAFKA_NODE_TYPES = ['kafka-trigger', 'kafka-produce'] as const;
export type KafkaNodeType = (typeof KAFKA_NODE_TYPES)[number];

/** One kafka-trigger or kafka-produce node as the command line reports it. */
export interface KafkaNodeEntry {
  type: KafkaNodeType;
  id: string;
  name: string;
  /** Blank for a producer that writes to each msg's msg.topic. */
  topic: string;
  /** A trigger's consumer group; a producer has none. */
  group?: string;
  /**
   * A trigger's delivery after migration (a node written before complete became the default keeps
   * hand-off); unset when invalid.
   */
  delivery?: DeliveryMode;
  /** The broker list after environment lookups; empty when there is none. */
  brokers: string[];
  /** Where the broker list came from. */
  brokersFrom: 'kafka-broker' | 'KAFKA_BROKERS' | 'none';
  disabled: boolean;
  /** What is wrong, in plain English; undefined when the trigger is valid. */
  problem?: string;
}

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
      ? parsed.flows
      : parsed;
  if (!Array.isArray(nodes)) throw new FlowsFileError(`${path} does not hold a Node-RED flow (a JSON array)`);
  return (nodes as unknown[]).filter(
    (node): node is FlowNode =>
      !!node &&
      typeof node === 'object' &&
      typeof (node as FlowNode).id === 'string' &&
      typeof (node as FlowNode).type === 'string',
  );
}

const MIGRATIONS: Record<KafkaNodeType, readonly MigrationStep[]> = {
  'kafka-trigger': TRIGGER_MIGRATIONS,
  'kafka-produce': PRODUCE_MIGRATIONS,
};

/** A node's own settings checked as its runtime checks them: undefined when they are fine. */
function settingsProblem(type: KafkaNodeType, config: FlowNode): SettingProblem | undefined {
  const resolved =
    type === 'kafka-trigger'
      ? resolveTriggerSettings(config as TriggerConfig, config.id)
      : resolveProduceSettings(config as ProduceConfig);
  return 'problem' in resolved ? resolved.problem : undefined;
}

function isKafkaNode(node: FlowNode): node is FlowNode & { type: KafkaNodeType } {
  return (KAFKA_NODE_TYPES as readonly string[]).includes(node.type);
}

/**
 * Every kafka-trigger and kafka-produce node of the flow with its effective topic, group and
 * brokers, and the first problem that would stop it at deploy. `messages` turns the runtime's
 * message keys into text. Each node goes through what the runtime does first: environment
 * variables, then migrations.
 */
export function inspectKafkaNodes(
  nodes: FlowNode[],
  processEnv: NodeJS.ProcessEnv,
  messages: Messages,
): KafkaNodeEntry[] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const env = new FlowEnvironment(byId, processEnv);

  return nodes.filter(isKafkaNode).map((node) => {
    const { type } = node;
    const substituted = env.substitute(node);
    const config = migrate(substituted.node, MIGRATIONS[type]);
    const tab = byId.get(text(node.z));
    const entry: KafkaNodeEntry = {
      type,
      id: node.id,
      name: text(config.name),
      topic: text(config.topic),
      brokers: [],
      brokersFrom: 'none',
      disabled: node.d === true || tab?.disabled === true,
    };
    if (type === 'kafka-trigger') {
      entry.group = groupIdOf(config.consumer_group, node.id);
      const delivery = TRIGGER_RULES.delivery.check(config.delivery);
      if ('value' in delivery) entry.delivery = delivery.value;
    }
    const problem = settingsProblem(type, config);
    const brokerId = text(config.broker);
    const brokerNode = brokerId ? byId.get(brokerId) : undefined;
    const broker = brokerNode?.type === 'kafka-broker' ? inspectBroker(brokerNode, env, messages) : undefined;
    const list = brokerList(broker?.brokers.join(','), text(env.lookup(brokerNode ?? node, 'KAFKA_BROKERS')));
    entry.brokers = list.brokers;
    if (list.brokers.length > 0) entry.brokersFrom = list.fromEnvironment ? 'KAFKA_BROKERS' : 'kafka-broker';

    if (problem) {
      entry.problem =
        unresolvedReference(substituted, problem) ??
        messages(`${type}.errors.${problem.key}`, problem.params);
    } else if (brokerId && !broker) {
      entry.problem = messages(`${type}.errors.broker-node-missing`, { id: brokerId });
    } else if (broker?.problem) {
      entry.problem = broker.problem;
    } else if (entry.brokers.length === 0) {
      entry.problem = messages(`${type}.errors.no-brokers`);
    } else if ('invalid' in list) {
      entry.problem = messages('kafka-broker.errors.invalid-broker', { broker: list.invalid[0] });
    } else if (broker) {
      entry.problem = tlsProblem(broker.config, byId, messages);
    }
    return entry;
  });
}

/** A kafka-broker node as its trigger sees it. */
interface BrokerEntry {
  config: FlowNode;
  /** Its own broker list; empty means KAFKA_BROKERS. */
  brokers: string[];
  problem?: string;
}

function inspectBroker(node: FlowNode, env: FlowEnvironment, messages: Messages): BrokerEntry {
  const substituted = env.substitute(node);
  const config = migrate(substituted.node, BROKER_MIGRATIONS);
  const resolved = resolveBrokerSettings(config as BrokerConfig);
  if ('problem' in resolved) {
    const problem =
      unresolvedReference(substituted, resolved.problem) ??
      messages(`kafka-broker.errors.${resolved.problem.key}`, resolved.problem.params);
    return { config, brokers: parseBrokerList(text(config.brokers)), problem };
  }
  const { brokers, awsRegion } = resolved.settings;
  if (awsRegion !== undefined) {
    // The AWS keys are credentials, which flows.json does not hold: only the signer's install is checked.
    const aws = mskIamProblem({ region: awsRegion });
    if (aws) {
      return {
        config,
        brokers,
        problem: messages(`kafka-broker.errors.${aws.problem.key}`, aws.problem.params),
      };
    }
  }
  return { config, brokers };
}

/**
 * When a setting is wrong because it still holds a reference (its variable unset, or of a kind only
 * the runtime can evaluate), that is the clearer thing to say.
 */
function unresolvedReference(substituted: Substitution, problem: SettingProblem): string | undefined {
  const property = problem.setting;
  const variable = substituted.unset.get(property);
  if (variable !== undefined) {
    return `${property} is \${${variable}}, but ${variable} is not set in the flow, global or process environment`;
  }
  const unknowable = substituted.unknowable.get(property);
  if (unknowable) {
    return `${property} is \${${unknowable.variable}}, a ${unknowable.type} variable that only the runtime can evaluate`;
  }
  return undefined;
}

/** A problem with the kafka-broker node's TLS configuration node, if any. */
function tlsProblem(broker: FlowNode, byId: Map<string, FlowNode>, messages: Messages): string | undefined {
  const tls = text(broker.tls);
  if (tls && byId.get(tls)?.type !== 'tls-config') {
    return messages('kafka-broker.errors.invalid-tls', { id: tls });
  }
  return undefined;
}
