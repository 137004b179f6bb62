// Editor properties made from the setting rules, so the dialog checks a value exactly as the runtime will.
import type { ChoiceRule, SettingProblem, SettingRule } from '../settings/setting-rules';

type NodeType = 'kafka-trigger' | 'kafka-produce' | 'kafka-broker';

/** The rule's default, and a validator that reports the rule's problem in the node's language. */
export function ruleProperty(nodeType: NodeType, rule: SettingRule<unknown, string>): EditorProperty {
  return {
    value: rule.defaultValue,
    // Node-RED itself accepts a whole-value ${ENV_VAR} before calling a validator.
    validate(value, _options) {
      const checked = rule.check(value);
      return 'problem' in checked ? problemMessage(this, nodeType, checked.problem) : true;
    },
  };
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
  select.val(current ? String(current) : rule.defaultValue);
}
