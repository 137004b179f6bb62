import helper from 'node-red-node-test-helper';
import type { Node, NodeMessage } from 'node-red';
import type { KafkaTriggerMessage } from '../../src/nodes/types';
import { loadMessages } from '../../src/cli/messages';
import { brokerNode, helperNode, tab, triggerNode, type FlowNode } from './flows';
import { sharedBroker } from './shared-broker';
import { waitFor } from './wait';
import { withoutHandoffMark } from './badge';

// The tests load the compiled package, as Node-RED would.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkaBroker = require('../../dist/nodes/kafka-broker.js') as NodeModule;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkaTrigger = require('../../dist/nodes/kafka-trigger.js') as NodeModule;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkaProduce = withEnglishMessages(require('../../dist/nodes/kafka-produce.js') as NodeModule);

let prepared = false;

/** The helper's startServer and stopServer return promises; its published types say void. */
const server = helper as unknown as { startServer(): Promise<void>; stopServer(): Promise<void> };

/**
 * Points the helper at our node-red and gives its nodes RED.hooks (the real runtime has them: its
 * flows trigger them; the test helper forgets them). Once per process, however often it is called.
 */
function prepareHelper(): void {
  if (prepared) return;
  prepared = true;
  helper.init(require.resolve('node-red'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const runtimeHooks = (require('@node-red/util') as { hooks: object }).hooks;
  const registryUtil = (helper as unknown as { _registryUtil: { createNodeApi(node: object): object } })
    ._registryUtil;
  const createNodeApi = registryUtil.createNodeApi.bind(registryUtil);
  registryUtil.createNodeApi = (node: object) => Object.assign(createNodeApi(node), { hooks: runtimeHooks });
}

/** Starts the test helper's server; call it (e.g. in beforeEach) before anything else here. */
export async function startNodeRed(): Promise<void> {
  prepareHelper();
  await server.startServer();
}

export async function stopNodeRed(): Promise<void> {
  await helper.unload();
  await server.stopServer();
}

// Core nodes some flows need beside ours.
/* eslint-disable @typescript-eslint/no-require-imports */
const coreNodes = [
  require('@node-red/nodes/core/network/05-tls.js'),
  require('@node-red/nodes/core/function/10-function.js'),
  require('@node-red/nodes/core/function/10-switch.js'),
  require('@node-red/nodes/core/common/25-catch.js'),
] as NodeModule[];
/* eslint-enable @typescript-eslint/no-require-imports */

/** A node package's entry point: it registers its node types with the runtime it is given. */
export type NodeModule = (RED: unknown) => void;

/**
 * The test helper's RED._ gives back the key. kafka-produce's (and kafka-admin's) errors are checked
 * as their users read them, parameters filled in, so their RED._ is the English catalog the command
 * line reads too.
 */
export function withEnglishMessages(
  module: NodeModule,
  catalogs: readonly string[] = ['kafka-produce', 'kafka-broker'],
): NodeModule {
  const messages = loadMessages(catalogs);
  return (RED) =>
    module(
      new Proxy(RED as object, {
        get: (target, property): unknown => (property === '_' ? messages : Reflect.get(target, property)),
      }),
    );
}

/** What a test node type's input handler gets, as Node-RED calls it. */
export type TestInputHandler<T extends NodeMessage = NodeMessage> = (
  msg: T,
  send: (msg: NodeMessage) => void,
  done: (error?: unknown) => void,
) => void;

/** A test-only node type: every node of `type` handles its input with `onInput` (which takes done()). */
export function testNodeType<T extends NodeMessage = NodeMessage>(
  type: string,
  onInput: TestInputHandler<T>,
): NodeModule {
  return (RED: unknown) => {
    const red = RED as {
      nodes: {
        createNode(node: object, config: object): void;
        registerType(type: string, ctor: unknown): void;
      };
    };
    red.nodes.registerType(
      type,
      function (this: { on: (event: string, handler: TestInputHandler<T>) => void }, config: object) {
        red.nodes.createNode(this, config);
        this.on('input', onInput);
      },
    );
  };
}

/** Loads the flow in a fresh runtime with our nodes, a few core nodes and any test-only node types. */
export async function deploy(
  flow: FlowNode[],
  credentials: Record<string, unknown> = {},
  testNodes: NodeModule[] = [],
): Promise<void> {
  await helper.load([...coreNodes, kafkaBroker, kafkaTrigger, kafkaProduce, ...testNodes], flow, credentials);
}

export interface DeployTriggerOptions {
  /** The kafka-broker node's bootstrap list; default the integration test broker. */
  brokers?: string;
  /** The trigger's wires, one list per output; default `[['out']]`. */
  wires?: string[][];
  /** More nodes for the flow, e.g. the ones the trigger is wired to. */
  nodes?: FlowNode[];
  /** The helper node added to the flow and collected; default 'out', false for none. */
  out?: string | false;
  /** Test-only node types the flow uses. */
  testNodes?: NodeModule[];
  /** The status key to wait for on the trigger once deployed; default 'connected', false to not wait. */
  status?: string | false;
}

/**
 * Deploys a tab with kafka-broker 'broker1' and kafka-trigger 'trigger1' (`props` over the defaults),
 * collects the helper node 'out' from the start and waits for the trigger to connect.
 */
export async function deployTrigger(
  props: Record<string, unknown>,
  options: DeployTriggerOptions = {},
): Promise<KafkaTriggerMessage[]> {
  const { wires = [['out']], nodes = [], out = 'out', testNodes = [], status = 'connected' } = options;
  await deploy(
    [
      tab(),
      brokerNode('broker1', options.brokers ?? sharedBroker().bootstrap),
      { ...triggerNode('trigger1', { broker: 'broker1', ...props }), wires },
      ...nodes,
      ...(out === false ? [] : [helperNode(out)]),
    ],
    {},
    testNodes,
  );
  const received = out === false ? [] : collect(out);
  if (status !== false) await waitForStatus('trigger1', status);
  return received;
}

export function getNode<T = Node>(id: string): T {
  return helper.getNode(id) as unknown as T;
}

/** Every msg a helper node receives from now on. */
export function collect<T extends NodeMessage = KafkaTriggerMessage>(id: string): T[] {
  const received: T[] = [];
  getNode(id).on('input', (msg: NodeMessage) => received.push(msg as T));
  return received;
}

/** Waits until the node's latest status text is the given locale key of its type (default kafka-trigger). */
export async function waitForStatus(
  id: string,
  key: string,
  timeoutMs = 30000,
  nodeType = 'kafka-trigger',
): Promise<void> {
  await waitFor(
    () => lastStatusText(id) === `${nodeType}.status.${key}`,
    timeoutMs,
    `status ${key} on ${id}`,
  );
}

export function lastStatusText(id: string): string | undefined {
  return statusCalls(id).at(-1)?.text;
}

/** The node's badges, in order, without a trigger's hand-off mark (see badge.ts). */
export function statusCalls(id: string): { fill?: string; shape?: string; text?: string }[] {
  return rawStatusCalls(id).map((call) => ({ ...call, text: withoutHandoffMark(call.text) }));
}

/** The node's badges as it set them. */
export function rawStatusCalls(id: string): { fill?: string; shape?: string; text?: string }[] {
  return callsOf(id, 'status').map((args) => args[0] as { text?: string });
}

/** Strings logged through a node's warn, error or log method. */
export function loggedBy(id: string, level: 'warn' | 'error' | 'log'): string[] {
  return callsOf(id, level).map((args) => String(args[0]));
}

/**
 * What the node logs at `level` from now on, with when (Date.now()): the helper's spies keep the
 * calls but not their times.
 */
export function loggedFromNow(id: string, level: 'warn' | 'error' | 'log'): { at: number; text: string }[] {
  const node = getNode<Record<string, (...args: unknown[]) => unknown>>(id);
  const logged = node[level];
  const entries: { at: number; text: string }[] = [];
  node[level] = function (this: unknown, ...args: unknown[]) {
    entries.push({ at: Date.now(), text: String(args[0]) });
    return logged.apply(this, args);
  };
  return entries;
}

/** The helper spies on Node.prototype, so a node's own calls are those made with it as `this`. */
function callsOf(id: string, method: 'status' | 'warn' | 'error' | 'log'): unknown[][] {
  const node = getNode(id);
  // From the prototype: loggedFromNow() may have put a wrapper on the node itself.
  const spies = Object.getPrototypeOf(node) as Record<string, SinonSpyLike>;
  return spies[method]
    .getCalls()
    .filter((call) => call.thisValue === node)
    .map((call) => call.args);
}

interface SinonSpyLike {
  getCalls(): { thisValue: unknown; args: unknown[] }[];
}

export { helper };

/** What the kafka-broker dialog's check routes answer: a listing, or why there is none. */
export interface CheckAnswer {
  topics?: string[];
  subjects?: string[];
  error?: string;
  failure?: string;
}

/** Posts the dialog's values to a check route of the test runtime, as the editor does. */
export async function postCheck(
  route: string,
  values: object,
): Promise<{ status: number; body: CheckAnswer }> {
  const response = await helper.request().post(route).send(values);
  return { status: response.status, body: response.body as CheckAnswer };
}
