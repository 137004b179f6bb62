// The parts of the Node-RED editor's globals that the editor scripts use (Node-RED 4.1's red.js);
// jQuery's `$` comes from @types/jquery.

/** A node as the editor holds it: its flow JSON properties, its id and its catalog's translator. */
interface EditorNode {
  readonly id: string;
  _(key: string, params?: Record<string, string | number>): string;
  [property: string]: unknown;
}

/** Node-RED treats a two-parameter validator's string result as the error message. */
type EditorValidator = (this: EditorNode, value: unknown, options: unknown) => true | string;

interface EditorProperty {
  value: string | number | boolean;
  validate?: EditorValidator;
  /** The type of the config node this property points at. */
  type?: string;
  required?: boolean;
}

interface EditorNodeDefinition {
  category: string;
  color?: string;
  defaults: Record<string, EditorProperty>;
  credentials?: Record<string, { type: 'text' | 'password' }>;
  inputs?: number;
  outputs?: number;
  icon?: string;
  /** Which side of the node its icon sits on: output-only nodes on the left, others may choose the right. */
  align?: 'left' | 'right';
  paletteLabel?: string;
  label(this: EditorNode): string;
  labelStyle?(this: EditorNode): string;
  inputLabels?(this: EditorNode, index: number): string;
  outputLabels?(this: EditorNode, index: number): string;
  oneditprepare?(this: EditorNode): void;
  oneditsave?(this: EditorNode): void;
}

declare const RED: {
  nodes: {
    registerType(type: string, definition: EditorNodeDefinition): void;
    /** The node (config nodes included) with this id in the editor's workspace. */
    node(id: string): EditorNode | undefined;
  };
  utils: { sanitize(text: string): string };
  /** Node-RED's tab bar, as its own dialogs (the MQTT broker's) use it. */
  tabs: {
    create(options: { id: string; onchange?: (tab: EditorTab) => void }): EditorTabBar;
  };
};

interface EditorTab {
  id: string;
  label: string;
}

interface EditorTabBar {
  addTab(tab: EditorTab): void;
  activateTab(id: string): void;
  resize(): void;
}
