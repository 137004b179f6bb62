// Builds the server.properties of a single-node KRaft broker (broker and controller in one JVM).

export type SecurityProtocol = 'PLAINTEXT' | 'SASL_PLAINTEXT' | 'SSL' | 'SASL_SSL';

export interface KafkaListenerSpec {
  /** Listener name as Kafka sees it, e.g. PLAINTEXT or SASL_CLIENT (upper case, digits, underscores). */
  name: string;
  protocol: SecurityProtocol;
  /** Fixed port; a free one is picked when omitted. */
  port?: number;
  /** Settings for this listener only, written as `listener.name.<name>.<key>=<value>`. */
  extraConfig?: Record<string, string>;
}

export interface BoundListener extends KafkaListenerSpec {
  port: number;
}

export interface ServerPropertiesInput {
  listeners: BoundListener[];
  controllerPort: number;
  logDir: string;
  brokerConfig?: Record<string, string>;
}

export const CONTROLLER_LISTENER = 'CONTROLLER';
/** Added when the caller asks for no PLAINTEXT listener: the harness itself needs one to talk to the broker. */
export const INTERNAL_LISTENER = 'INTERNAL';
const HOST = '127.0.0.1';

/** Settings that make one node a complete cluster and keep tests fast and deterministic. */
const SINGLE_NODE_DEFAULTS: Record<string, string> = {
  'offsets.topic.replication.factor': '1',
  'offsets.topic.num.partitions': '1',
  'transaction.state.log.replication.factor': '1',
  'transaction.state.log.min.isr': '1',
  'transaction.state.log.num.partitions': '1',
  'group.initial.rebalance.delay.ms': '0',
  'num.partitions': '1',
  'default.replication.factor': '1',
  'auto.create.topics.enable': 'false',
};

/** Validates the requested listeners and appends a PLAINTEXT one when none is among them. */
export function withPlaintextListener(specs: KafkaListenerSpec[]): KafkaListenerSpec[] {
  const names = new Set<string>();
  for (const spec of specs) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(spec.name)) throw new Error(`Invalid listener name "${spec.name}"`);
    if (spec.name === CONTROLLER_LISTENER)
      throw new Error(`Listener name ${CONTROLLER_LISTENER} is reserved`);
    if (names.has(spec.name)) throw new Error(`Duplicate listener name "${spec.name}"`);
    names.add(spec.name);
  }
  if (specs.some((spec) => spec.protocol === 'PLAINTEXT')) return specs;
  if (names.has(INTERNAL_LISTENER)) throw new Error(`Listener ${INTERNAL_LISTENER} must use PLAINTEXT`);
  return [...specs, { name: INTERNAL_LISTENER, protocol: 'PLAINTEXT' }];
}

export function firstPlaintextListener(listeners: BoundListener[]): BoundListener {
  const listener = listeners.find((candidate) => candidate.protocol === 'PLAINTEXT');
  if (!listener) throw new Error('No PLAINTEXT listener');
  return listener;
}

export function listenerAddress(listener: BoundListener): string {
  return `${HOST}:${listener.port}`;
}

export function renderServerProperties(input: ServerPropertiesInput): string {
  const settings = { ...serverSettings(input), ...SINGLE_NODE_DEFAULTS, ...input.brokerConfig };
  return Object.entries(settings)
    .map(([key, value]) => `${escapeProperty(key, true)}=${escapeProperty(value, false)}`)
    .join('\n')
    .concat('\n');
}

function serverSettings({
  listeners,
  controllerPort,
  logDir,
}: ServerPropertiesInput): Record<string, string> {
  const endpoint = (name: string, port: number) => `${name}://${HOST}:${port}`;
  const clientEndpoints = listeners.map((listener) => endpoint(listener.name, listener.port));
  const protocolMap = listeners.map((listener) => `${listener.name}:${listener.protocol}`);
  const settings: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@${HOST}:${controllerPort}`,
    'controller.listener.names': CONTROLLER_LISTENER,
    listeners: [...clientEndpoints, endpoint(CONTROLLER_LISTENER, controllerPort)].join(','),
    'advertised.listeners': clientEndpoints.join(','),
    'listener.security.protocol.map': [...protocolMap, `${CONTROLLER_LISTENER}:PLAINTEXT`].join(','),
    'inter.broker.listener.name': firstPlaintextListener(listeners).name,
    'log.dirs': logDir,
  };
  for (const listener of listeners) {
    for (const [key, value] of Object.entries(listener.extraConfig ?? {})) {
      settings[`listener.name.${listener.name.toLowerCase()}.${key}`] = value;
    }
  }
  return settings;
}

/** Java reads .properties as ISO-8859-1 with backslash escapes; escaping everything unusual keeps values intact. */
function escapeProperty(text: string, isKey: boolean): string {
  const special = isKey ? /[\\=: #!]/g : /\\/g;
  return text
    .replace(special, (char) => `\\${char}`)
    .replace(/^ /, '\\ ')
    .replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
