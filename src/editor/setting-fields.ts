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

/** A setting's value: the one being edited while the dialog is open (once its select is filled), else the node's. */
function currentValue(node: EditorNode, nodeType: NodeType, setting: string): unknown {
  const input = $(fieldId(nodeType, setting));
  const value = input.length ? input.val() : undefined;
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
 * setting that chooses the mode changes.
 */
export function showInTheirModes(
  nodeType: NodeType,
  rules: Record<string, SettingRule<unknown, string>>,
): void {
  const modes = new Map<string, JQuery>();
  for (const [setting, rule] of Object.entries(rules)) {
    const mode: SettingMode | undefined = rule.appliesWhen;
    if (!mode) continue;
    const chooser = $(fieldId(nodeType, mode.setting));
    const field = $(fieldId(nodeType, setting));
    chooser.on('change keyup paste', () => {
      field.closest('.form-row').toggle(mode.matches(chooser.val()));
      field.trigger('change');
    });
    modes.set(mode.setting, chooser);
  }
  for (const chooser of modes.values()) chooser.trigger('change');
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
