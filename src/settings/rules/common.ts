// What every setting rule is made of, and the builders the node's rule tables use. Like all of
// src/settings/rules, it imports nothing outside this folder: it runs in the browser too.

/** A problem with a setting: a message key under `<node type>.errors` and its parameters. */
export interface SettingProblem<Key extends string = string> {
  key: Key;
  params: Record<string, string | number>;
  /** The flow JSON property that is wrong. */
  setting: string;
}

export type Checked<T, Key extends string> = { value: T } | { problem: SettingProblem<Key> };

/**
 * The mode in which a setting is read: another setting of the same node (its flow JSON name) whose
 * flow JSON value `matches`. Outside that mode the setting is neither read nor checked, by the
 * editor, at deploy or by the command line.
 */
export interface SettingMode {
  readonly setting: string;
  matches(value: unknown): boolean;
}

export interface SettingRule<T, Key extends string> {
  /** What a node dropped from the palette starts with. */
  readonly defaultValue: string | number | boolean;
  /** The value the runtime uses, or what is wrong with the flow JSON value. */
  check(value: unknown): Checked<T, Key>;
  /** Absent: the setting is read in every mode. */
  readonly appliesWhen?: SettingMode;
}

/** A setting with a fixed set of values (a select in the editor). */
export interface ChoiceRule<T extends string, Key extends string> extends SettingRule<T, Key> {
  readonly defaultValue: T;
  readonly choices: readonly T[];
}

/** Whether a node with these flow JSON properties reads the setting of this rule. */
export function applies(rule: SettingRule<unknown, string>, config: object): boolean {
  const mode = rule.appliesWhen;
  return !mode || mode.matches((config as Record<string, unknown>)[mode.setting]);
}

/** The rule, read only in `mode`. */
export function onlyWhen<Rule extends SettingRule<unknown, string>>(
  mode: SettingMode,
  rule: Rule,
): Rule & { appliesWhen: SettingMode } {
  return { ...rule, appliesWhen: mode };
}

/** The mode in which a choice setting holds one of `values`, read as its rule reads it (blank: its default). */
export function whenChosen<T extends string>(
  setting: string,
  rule: ChoiceRule<T, string>,
  ...values: T[]
): SettingMode {
  return {
    setting,
    matches(value) {
      const chosen = rule.check(value);
      return 'value' in chosen && values.includes(chosen.value);
    },
  };
}

export type CheckedValues<Rules> = {
  [S in keyof Rules]: Rules[S] extends SettingRule<infer T, string>
    ? Rules[S] extends { appliesWhen: SettingMode }
      ? T | undefined
      : T
    : never;
};

/**
 * Every setting of `config` that its mode reads, checked with its rule in the order of `rules`: the
 * values (undefined for a setting outside its mode), or the first problem.
 */
export function checkSettings<Key extends string, Rules extends Record<string, SettingRule<unknown, Key>>>(
  rules: Rules,
  config: { readonly [S in keyof Rules]?: unknown },
): { values: CheckedValues<Rules> } | { problem: SettingProblem<Key> } {
  const values: Record<string, unknown> = {};
  for (const [setting, rule] of Object.entries(rules)) {
    if (!applies(rule, config)) continue;
    const checked = rule.check((config as Record<string, unknown>)[setting]);
    if ('problem' in checked) return checked;
    values[setting] = checked.value;
  }
  return { values: values as CheckedValues<Rules> };
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function isValidTopicName(topic: string): boolean {
  return TOPIC_NAME.test(topic) && topic !== '.' && topic !== '..';
}

/** A valid topic name, or blank for none. */
export function optionalTopic<Key extends string>(
  setting: string,
  problemKey: Key,
): SettingRule<string | undefined, Key> {
  return {
    defaultValue: '',
    check(value) {
      const topic = text(value).trim();
      if (!topic) return { value: undefined };
      return isValidTopicName(topic) ? { value: topic } : problem(problemKey, setting, { topic });
    },
  };
}

/** One of `choices`, listed in that order; blank means `defaultValue`, the first unless said. */
export function choice<T extends string, Key extends string>(
  setting: string,
  choices: readonly [T, ...T[]],
  problemKey: Key,
  defaultValue: T = choices[0],
): ChoiceRule<T, Key> {
  return {
    defaultValue,
    choices,
    check(value) {
      const chosen = value ? text(value) : defaultValue;
      return (choices as readonly string[]).includes(chosen)
        ? { value: chosen as T }
        : problem(problemKey, setting, { setting, value: chosen });
    },
  };
}

/** true or false (flow JSON may hold either as a string); blank means false. */
export function flag<Key extends string>(setting: string, problemKey: Key): SettingRule<boolean, Key> {
  return {
    defaultValue: false,
    check(value) {
      if (value === undefined || value === null || value === '' || value === false || value === 'false')
        return { value: false };
      if (value === true || value === 'true') return { value: true };
      return problem(problemKey, setting, { value: text(value) });
    },
  };
}

/** A positive whole number (flow JSON may hold it as a numeric string); blank means the default. */
export function positiveNumber<Key extends string>(
  setting: string,
  defaultValue: number,
  problemKey: Key,
): SettingRule<number, Key> {
  return {
    defaultValue,
    check(value) {
      if (value === undefined || value === null || value === '') return { value: defaultValue };
      const parsed = typeof value === 'number' ? value : Number(text(value).trim());
      if (Number.isInteger(parsed) && parsed > 0) return { value: parsed };
      return problem(problemKey, setting, { setting, value: text(value) });
    },
  };
}

/** A whole number, zero allowed; blank means the default. */
export function wholeNumber<Key extends string>(
  setting: string,
  defaultValue: number,
  problemKey: Key,
): SettingRule<number, Key> {
  return {
    defaultValue,
    check(value) {
      const raw = text(value).trim();
      const parsed = raw === '' ? defaultValue : Number(raw);
      if (Number.isInteger(parsed) && parsed >= 0) return { value: parsed };
      return problem(problemKey, setting, { setting, value: raw });
    },
  };
}

/** Flow JSON values as text: a `${VAR}` from a typed environment variable may be a number or more. */
export function text(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return '';
    default:
      return value === null ? '' : (JSON.stringify(value) ?? '');
  }
}

export function problem<Key extends string>(
  key: Key,
  setting: string,
  params: Record<string, string | number> = {},
): { problem: SettingProblem<Key> } {
  return { problem: { key, params, setting } };
}
