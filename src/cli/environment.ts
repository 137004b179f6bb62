// Environment variables in a flows file, substituted the way Node-RED's runtime does it before a node's
// constructor runs (flows/util.js mapEnvVarProperties, and the getSetting of flows, groups and
// @node-red/util), so the command line checks the values the runtime would check:
// - every property, at any depth, whose whole value is `${NAME}` (or the older `$(NAME)`) takes the
//   variable's value when it is set, whatever its type (a `num` variable gives a number);
// - NR_NODE_ID, NR_NODE_NAME and NR_NODE_PATH name the node itself;
// - then the node's groups from the innermost out (each also answers NR_GROUP_ID and NR_GROUP_NAME),
//   its tab (NR_FLOW_ID, NR_FLOW_NAME), the global-config node's `env`, and the process environment;
// - `$parent.NAME` skips the first of those scopes.
// The command line has no credentials, no context and no clock: it cannot know the value of a variable
// of type `cred`, `jsonata`, `flow`, `global` or `date`. A node inside a subflow sees the subflow's own
// env list, then the global scope: what each instance of the subflow sets is not looked at.
import { text } from '../settings/setting-rules';
import type { FlowNode } from './flows-file';

const WHOLE_REFERENCE = /^\$\{(\S+)\}$|^\$\((\S+)\)$/;
const PARENT = '$parent.';
const UNKNOWABLE_TYPES = new Set(['cred', 'jsonata', 'flow', 'global', 'date']);

/** A variable the command line cannot evaluate: it names the variable and its type. */
export class UnknowableValue {
  constructor(
    readonly variable: string,
    readonly type: string,
  ) {}
}

/** What a lookup finds: a value (a variable set to undefined counts as unset), or nothing. */
type Found = { value: unknown } | undefined;

/** A tab, group or the global scope, each with its own `env` list, inside its parent. */
interface Scope {
  readonly parent: Scope | undefined;
  /** NR_FLOW_ID and the like, answered before the scope's env. */
  special(name: string): Found;
  readonly env: readonly Record<string, unknown>[];
}

export interface Substitution {
  /** The node with every whole-value reference replaced whose variable is set. */
  node: FlowNode;
  /** The references left as they were, by property path (`topic`, `rules.0.v`). */
  unset: Map<string, string>;
  /** The references whose value only the runtime can know, by property path. */
  unknowable: Map<string, UnknowableValue>;
}

export class FlowEnvironment {
  private readonly scopes = new Map<string, Scope>();
  private readonly evaluated = new Map<Scope, Map<string, unknown>>();
  private readonly global: Scope;

  constructor(
    private readonly byId: Map<string, FlowNode>,
    private readonly processEnv: NodeJS.ProcessEnv,
  ) {
    const globalEnv = [...byId.values()]
      .filter((node) => node.type === 'global-config')
      .flatMap((node) => envList(node));
    // The global flow has no id or label of its own: NR_FLOW_ID and NR_FLOW_NAME are unset there.
    this.global = {
      parent: undefined,
      special: (name) =>
        name === 'NR_FLOW_ID' || name === 'NR_FLOW_NAME' ? { value: undefined } : undefined,
      env: globalEnv,
    };
  }

  /** The variable as the node would see it: RED.util.getSetting(node, name). */
  lookup(node: FlowNode, name: string): unknown {
    if (name === 'NR_NODE_ID') return node.id;
    if (name === 'NR_NODE_NAME') return node.name;
    if (name === 'NR_NODE_PATH') return `${this.tabOf(node)?.id ?? 'global'}/${node.id}`;
    return this.fromScope(this.innermostScope(node), name);
  }

  /** A copy of the node with its whole-value references substituted, and the ones that were not. */
  substitute(node: FlowNode): Substitution {
    const unset = new Map<string, string>();
    const unknowable = new Map<string, UnknowableValue>();
    const visit = (value: unknown, path: string): unknown => {
      if (Array.isArray(value)) return value.map((item, index) => visit(item, join(path, String(index))));
      if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
        return Object.fromEntries(
          Object.entries(value).map(([key, item]) => [key, visit(item, join(path, key))]),
        );
      }
      const match = typeof value === 'string' ? WHOLE_REFERENCE.exec(value) : null;
      if (!match) return value;
      const variable = match[1] ?? match[2];
      const found = this.lookup(node, variable);
      if (found instanceof UnknowableValue) unknowable.set(path, found);
      else if (found === undefined) unset.set(path, variable);
      else return found;
      return value;
    };
    return { node: visit(node, '') as FlowNode, unset, unknowable };
  }

  private fromScope(scope: Scope | undefined, name: string): unknown {
    if (!scope) return this.processEnv[name];
    if (name.startsWith(PARENT)) return this.fromScope(scope.parent, name.slice(PARENT.length));
    const found = scope.special(name) ?? this.ownEnv(scope, name);
    return found ? found.value : this.fromScope(scope.parent, name);
  }

  private ownEnv(scope: Scope, name: string): Found {
    const values = this.evaluatedEnv(scope);
    return values.has(name) ? { value: values.get(name) } : undefined;
  }

  /**
   * A scope's env list evaluated as the runtime does when it starts the scope: typed values first,
   * then the `env` entries, which name another variable of this scope or of a scope around it.
   */
  private evaluatedEnv(scope: Scope): Map<string, unknown> {
    const cached = this.evaluated.get(scope);
    if (cached) return cached;
    const values = new Map<string, unknown>();
    // While a scope starts, its own env is not yet in place: an `env` entry sees the entries evaluated
    // so far, the scope's own names (NR_FLOW_ID...) and the scopes around it.
    const around = (name: string): unknown => {
      if (values.has(name)) return values.get(name);
      const special = scope.special(name);
      if (special) return special.value;
      return this.fromScope(scope.parent, name.startsWith(PARENT) ? name.slice(PARENT.length) : name);
    };
    const references: Record<string, unknown>[] = [];
    for (const entry of scope.env) {
      const name = String(entry.name);
      if (entry.type === 'env') references.push(entry);
      else values.set(name, typedValue(name, entry));
    }
    for (const entry of references) {
      const name = String(entry.name);
      const target = entry.value === name ? PARENT + name : text(entry.value);
      values.set(name, values.has(target) ? values.get(target) : envReference(target, around));
    }
    this.evaluated.set(scope, values);
    return values;
  }

  private innermostScope(node: FlowNode): Scope | undefined {
    const group = this.byId.get(text(node.g));
    return group?.type === 'group' ? this.groupScope(group) : this.flowScope(node);
  }

  private groupScope(group: FlowNode): Scope {
    return this.scope(group.id, () => {
      const outer = this.byId.get(text(group.g));
      return {
        parent:
          outer?.type === 'group' && outer.id !== group.id ? this.groupScope(outer) : this.flowScope(group),
        special: (name) =>
          name === 'NR_GROUP_ID'
            ? { value: group.id }
            : name === 'NR_GROUP_NAME'
              ? { value: group.name }
              : undefined,
        env: envList(group),
      };
    });
  }

  /** A node's tab (or the subflow whose template holds it), else the global scope. */
  private flowScope(node: FlowNode): Scope {
    const flow = this.byId.get(text(node.z));
    if (!flow || (flow.type !== 'tab' && flow.type !== 'subflow')) return this.global;
    return this.scope(flow.id, () => ({
      parent: this.global,
      special: (name) =>
        name === 'NR_FLOW_ID'
          ? { value: flow.id }
          : name === 'NR_FLOW_NAME'
            ? { value: flow.label }
            : undefined,
      env: envList(flow),
    }));
  }

  private tabOf(node: FlowNode): FlowNode | undefined {
    const flow = this.byId.get(text(node.z));
    return flow?.type === 'tab' ? flow : undefined;
  }

  private scope(id: string, create: () => Scope): Scope {
    let scope = this.scopes.get(id);
    if (!scope) this.scopes.set(id, (scope = create()));
    return scope;
  }
}

/** An env entry's value for its type, as Node-RED's evaluateNodeProperty gives it. */
function typedValue(name: string, entry: Record<string, unknown>): unknown {
  const type = String(entry.type);
  const { value } = entry;
  if (UNKNOWABLE_TYPES.has(type)) return new UnknowableValue(name, type);
  switch (type) {
    case 'str':
      return String(value);
    case 'num':
      return Number(value);
    case 'bool':
      return value === true || value === 'true';
    case 'json':
    case 'bin':
      try {
        const parsed: unknown = JSON.parse(String(value));
        return type === 'bin' ? Buffer.from(parsed as string) : parsed;
      } catch {
        return undefined;
      }
    default:
      return value;
  }
}

/** An `env` entry's value: `NAME`, `${NAME}` or a text with `${NAME}` parts; unset gives "". */
function envReference(reference: string, lookup: (name: string) => unknown): unknown {
  const whole = /^\$\{([^}]+)\}$/.exec(reference);
  if (whole) return lookup(whole[1]) ?? '';
  if (!/\$\{\S+\}/.test(reference)) return lookup(reference) ?? '';
  const parts = [...reference.matchAll(/\$\{([^}]+)\}/g)].map((match) => lookup(match[1]));
  const unknowable = parts.find((part) => part instanceof UnknowableValue);
  if (unknowable) return unknowable;
  let index = 0;
  return reference.replace(/\$\{([^}]+)\}/g, () => text(parts[index++]));
}

function envList(node: FlowNode): Record<string, unknown>[] {
  return Array.isArray(node.env)
    ? (node.env as unknown[]).filter(
        (entry): entry is Record<string, unknown> => !!entry && typeof entry === 'object',
      )
    : [];
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
