// Builders for the flow JSON the tests deploy, whether to Node-RED's test helper or to a real
// Node-RED process. Pure: they only build objects, so either tier can use them.

import { TRIGGER_VERSION } from '../../src/settings/migrations';

export type FlowNode = Record<string, unknown> & { id: string; type: string };

/** The tab the builders put their flow nodes on. */
export const TAB = 'tab1';

export function tab(label = 'kafka tests'): FlowNode {
  return { id: TAB, type: 'tab', label };
}

/** A kafka-broker config node; `extra` for its other settings (name, client_id, TLS, SASL, credentials). */
export function brokerNode(id: string, brokers: string, extra: Record<string, unknown> = {}): FlowNode {
  return { id, type: 'kafka-broker', name: '', brokers, client_id: '', ...extra };
}

/**
 * A kafka-trigger at the current settings version with the dialog's defaults under `props`, its one
 * output wired to `wires`; on hand-off unless `props` says otherwise, because the tests written before
 * complete became the default were about hand-off or about neither. A test of the default delivery
 * passes `delivery: undefined`.
 */
export function triggerNode(id: string, props: Record<string, unknown>, wires: string[] = []): FlowNode {
  return {
    id,
    type: 'kafka-trigger',
    version: TRIGGER_VERSION,
    z: TAB,
    name: '',
    broker: '',
    topic: '',
    consumer_group: '',
    start_from: 'newest',
    session_timeout: 10000,
    heartbeat_interval: 3000,
    delivery: 'handoff',
    ...props,
    wires: [wires],
  };
}

/** A kafka-produce with the dialog's defaults under `props`, its output wired to `wires`. */
export function produceNode(id: string, props: Record<string, unknown>, wires: string[] = []): FlowNode {
  return {
    id,
    type: 'kafka-produce',
    z: TAB,
    name: '',
    broker: '',
    topic: '',
    key: '',
    acks: 'all',
    compression: 'none',
    send_timeout: 30000,
    ...props,
    wires: [wires],
  };
}

/** A Catch node for the given nodes (null: every node of the tab), wired to a helper node. */
export function catchWatcher(id: string, scope: string[] | null, outputId: string): FlowNode[] {
  return [{ id, type: 'catch', z: TAB, scope, uncaught: false, wires: [[outputId]] }, helperNode(outputId)];
}

/** The test helper's own node type, which records every msg it gets. */
export function helperNode(id: string): FlowNode {
  return { id, type: 'helper', z: TAB };
}

/** A Status node that watches the given nodes, wired to a helper node. */
export function statusWatcher(id: string, scope: string[], outputId: string): FlowNode[] {
  return [{ id, type: 'status', z: TAB, scope, wires: [[outputId]] }, helperNode(outputId)];
}

/** A core function node with one output per entry of `wires`. */
export function functionNode(id: string, func: string, wires: string[][]): FlowNode {
  return { id, type: 'function', z: TAB, name: '', func, outputs: wires.length, wires };
}

/** A core change node that sets msg.`property` to the string `value`. */
export function changeNode(id: string, property: string, value: string, wires: string[]): FlowNode {
  return {
    id,
    type: 'change',
    z: TAB,
    name: '',
    rules: [{ t: 'set', p: property, pt: 'msg', to: value, tot: 'str' }],
    wires: [wires],
  };
}

/** A core switch node on a msg property that checks every rule, one output per rule. */
export function switchNode(
  id: string,
  property: string,
  rules: Record<string, unknown>[],
  wires: string[][],
): FlowNode {
  return {
    id,
    type: 'switch',
    z: TAB,
    property,
    propertyType: 'msg',
    rules,
    checkall: 'true',
    outputs: rules.length,
    wires,
  };
}

/** A Debug node for msg.payload in the sidebar and, with `toConsole`, in the runtime log. */
export function debugNode(id: string, toConsole = false): FlowNode {
  return {
    id,
    type: 'debug',
    z: TAB,
    active: true,
    console: toConsole,
    tosidebar: true,
    complete: 'payload',
    wires: [],
  };
}

/** A core tls-config node whose certificates come as credentials (cadata, certdata, keydata). */
export function tlsConfigNode(id: string, servername = ''): FlowNode {
  return {
    id,
    type: 'tls-config',
    name: '',
    cert: '',
    key: '',
    ca: '',
    certname: '',
    keyname: '',
    caname: '',
    servername,
    verifyservercert: true,
  };
}

/** A core file node that appends each msg.payload as one line: how child Node-REDs report deliveries. */
export function fileRecorderNode(id: string, filename: string): FlowNode {
  return {
    id,
    type: 'file',
    z: TAB,
    name: '',
    filename,
    filenameType: 'str',
    appendNewline: true,
    createDir: false,
    overwriteFile: 'false',
    encoding: 'none',
    wires: [],
  };
}

/** A core join node in manual mode, grouping `payload`s into an array (`count` and `timeout` in props). */
export function join(id: string, props: Record<string, unknown>, wires: string[]): FlowNode {
  return {
    id,
    type: 'join',
    z: TAB,
    mode: 'custom',
    build: 'array',
    property: 'payload',
    propertyType: 'msg',
    key: 'topic',
    joiner: '\\n',
    joinerType: 'str',
    accumulate: false,
    timeout: '',
    count: '',
    ...props,
    wires: [wires],
  };
}
