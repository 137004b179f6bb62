// The node definitions the editor scripts register, loaded as the browser loads them, with just enough of
// RED and $ to register the nodes. No dialog is open: validators read the node's own properties.
import path from 'node:path';

export interface RegisteredProperty {
  value: unknown;
  validate?: (this: unknown, value: unknown, options: unknown) => unknown;
}
export interface Registered {
  defaults: Record<string, RegisteredProperty>;
}

let registered: Map<string, Registered> | undefined;

/** Each node type's definition; the scripts run once per test process, as they would in one editor. */
export function editorDefinitions(): Map<string, Registered> {
  if (registered) return registered;
  const types = new Map<string, Registered>();
  Object.assign(globalThis, {
    RED: {
      nodes: { registerType: (type: string, definition: Registered) => types.set(type, definition) },
      utils: { sanitize: (text: string) => text },
    },
    $: () => ({ length: 0 }),
  });
  for (const script of ['kafka-trigger', 'kafka-produce', 'kafka-broker', 'kafka-admin']) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.resolve(__dirname, '..', '..', 'src', 'editor', `${script}.ts`));
  }
  registered = types;
  return types;
}

/** The editor's verdict on a value of a setting of a node with these properties: true or the message. */
export function editorVerdict(type: string, setting: string, properties: Record<string, unknown>): unknown {
  const property = editorDefinitions().get(type)!.defaults[setting];
  const node = { id: 'n1', _: (key: string) => key, ...properties };
  return property.validate!.call(node, properties[setting], {});
}
