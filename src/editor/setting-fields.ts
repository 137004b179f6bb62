// Editor properties made from the setting rules, so the dialog checks a value exactly as the runtime will:
// with the rule's check, and only in the mode that reads the setting (the rule's appliesWhen).
import {
  applies,
  type ChoiceRule,
  type SettingMode,
  type SettingProblem,
  type SettingRule,
  text,
} from '../settings/setting-rules';

type NodeType = 'kafka-trigger' | 'kafka-produce' | 'kafka-broker' | 'kafka-admin';

/** The id of a setting's field in the edit dialog: config nodes have their own prefix. */
function fieldId(nodeType: NodeType, setting: string): string {
  return `#${nodeType === 'kafka-broker' ? 'node-config-input-' : 'node-input-'}${setting}`;
}

/** What a field holds as flow JSON would: a checkbox holds a boolean. */
function fieldValue(input: JQuery): unknown {
  return input.is(':checkbox') ? input.is(':checked') : input.val();
}

/** A setting's value: the one being edited while the dialog is open (once its select is filled), else the node's. */
function currentValue(node: EditorNode, nodeType: NodeType, setting: string): unknown {
  const input = $(fieldId(nodeType, setting));
  const value = input.length ? fieldValue(input) : undefined;
  return value === undefined || value === null ? node[setting] : value;
}

/** Whether the node, as it is being edited, reads the setting of this rule. */
function appliesInEditor(node: EditorNode, nodeType: NodeType, rule: SettingRule<unknown, string>): boolean {
  const mode = rule.appliesWhen;
  return !mode || applies(rule, { [mode.setting]: currentValue(node, nodeType, mode.setting) });
}

/** The rule's default, and a validator that reports the rule's problem in the node's language. */
export function ruleProperty(nodeType: NodeType, rule: SettingRule<unknown, string>): EditorProperty {
  return {
    value: rule.defaultValue,
    // Node-RED itself accepts a whole-value ${ENV_VAR} before calling a validator.
    validate(value, _options) {
      if (!appliesInEditor(this, nodeType, rule)) return true;
      const checked = rule.check(value);
      return 'problem' in checked ? problemMessage(this, nodeType, checked.problem) : true;
    },
  };
}

/**
 * Shows each moded setting's row only in its mode, and checks the setting again whenever the
 * setting that chooses the mode changes. A credential has no rule, only the mode that reads it.
 */
export function showInTheirModes(
  nodeType: NodeType,
  rules: Record<string, SettingRule<unknown, string> | { readonly appliesWhen: SettingMode }>,
): void {
  const choosers = new Map<string, JQuery>();
  for (const [setting, rule] of Object.entries(rules)) {
    const mode: SettingMode | undefined = rule.appliesWhen;
    if (mode) choosers.set(mode.setting, followMode(nodeType, [setting], mode));
  }
  for (const chooser of choosers.values()) chooser.trigger('change');
}

/**
 * Shows the rows of `fields` (settings, credentials or config node references) only while `mode`
 * holds, and checks each field again when the setting that chooses the mode changes.
 */
export function showInMode(nodeType: NodeType, fields: readonly string[], mode: SettingMode): void {
  followMode(nodeType, fields, mode).trigger('change');
}

/** Makes the fields' rows follow the mode's chooser from now on; returns the chooser. */
function followMode(nodeType: NodeType, fields: readonly string[], mode: SettingMode): JQuery {
  const chooser = $(fieldId(nodeType, mode.setting));
  const inputs = fields.map((field) => $(fieldId(nodeType, field)));
  return chooser.on('change keyup paste', () => {
    const shown = mode.matches(fieldValue(chooser));
    for (const input of inputs) {
      input.closest('.form-row').toggle(shown);
      input.trigger('change');
    }
  });
}

/** The problem's message; Node-RED shows it as HTML, so the values in it are escaped. */
export function problemMessage(node: EditorNode, nodeType: NodeType, problem: SettingProblem): string {
  const params = Object.fromEntries(
    Object.entries(problem.params).map(([name, value]) => [
      name,
      typeof value === 'string' ? RED.utils.sanitize(value) : value,
    ]),
  );
  return node._(`${nodeType}.errors.${problem.key}`, params);
}

/** Fills a select with the rule's choices and selects the node's value (blank: the default). */
export function fillChoices<T extends string>(
  select: JQuery,
  rule: ChoiceRule<T, string>,
  label: (choice: T) => string,
  current: unknown,
): void {
  select.empty().append(rule.choices.map((choice) => $('<option>').val(choice).text(label(choice))));
  select.val(text(current) || rule.defaultValue);
}
