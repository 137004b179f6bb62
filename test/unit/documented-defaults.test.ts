// The defaults that README.md and the help of every language write down are the rules' defaults.
// README: every setting of every node has a row in a settings table (a `flow JSON` or `setting` column
// and a `default` column), and that row states the rule's default. Help: every "(default N)" or
// "X (the default)" is read with the setting it follows (its <b>label</b> or <code>name</code> in the
// same paragraph) and must be the rule's default; each number setting the help names states its default,
// and every language states the same ones as en-US. What a blank setting means is checked too.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import should from 'should';
import {
  ADMIN_RULES,
  BROKER_RULES,
  PRODUCE_RULES,
  TRIGGER_RULES,
  defaultGroupId,
  groupIdOf,
  schemaSubjectOf,
  type SettingRule,
} from '../../src/settings/setting-rules';

const ROOT = path.resolve(__dirname, '..', '..');

type Rules = Record<string, SettingRule<unknown, string> & { choices?: readonly string[] }>;
type NodeType = 'kafka-trigger' | 'kafka-produce' | 'kafka-broker' | 'kafka-admin';

const NODES: Record<NodeType, Rules> = {
  'kafka-trigger': TRIGGER_RULES,
  'kafka-produce': PRODUCE_RULES,
  'kafka-broker': BROKER_RULES,
  'kafka-admin': ADMIN_RULES,
};
/** Settings that name another node: in the tables, but without a rule. */
const NODE_REFERENCES = ['broker', 'tls'];

/** What a blank value of a setting means, where that is a value of its own (README's words). */
const BLANK_MEANS: Record<string, string> = {
  'kafka-trigger.consumer_group': groupIdOf('', '<node id>'),
  'kafka-produce.schema_subject': schemaSubjectOf(undefined, '<topic>'),
  'kafka-broker.client_id': BROKER_RULES.client_id.check('').value,
};
/** The same in the help, where a code element ends with it (the help may translate `<topic>`). */
const BLANK_MEANS_IN_HELP: Record<NodeType, string[]> = {
  'kafka-trigger': [defaultGroupId('')],
  'kafka-produce': [schemaSubjectOf(undefined, '')],
  'kafka-broker': [BROKER_RULES.client_id.check('').value],
  'kafka-admin': [],
};

/** Whether a README default cell states the rule's default. */
function statesDefault(node: NodeType, setting: string, cell: string): boolean {
  const stated = cell.replace(/`/g, '').trim();
  const { defaultValue } = NODES[node][setting];
  if (typeof defaultValue === 'number')
    return Number(/^(\d+)(?: ms| s)?$/.exec(stated)?.[1]) === defaultValue;
  if (defaultValue !== '') return stated === String(defaultValue);
  const blank = BLANK_MEANS[`${node}.${setting}`];
  return blank ? stated.includes(blank) : /^(none|blank|required)\b/.test(stated);
}

interface TableRow {
  setting: string;
  cell: string;
}

/** Each README settings table's rows: the backticked setting name and its default cell. */
function readmeTables(): TableRow[][] {
  const lines = readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n');
  const cells = (line: string): string[] =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((c) => c.trim());
  const tables: TableRow[][] = [];
  for (let index = 0; index < lines.length - 1; index++) {
    if (!lines[index].startsWith('|') || !/^\|[\s|:-]+\|$/.test(lines[index + 1].trim())) continue;
    const header = cells(lines[index]).map((cell) => cell.toLowerCase());
    const name = header.includes('flow json') ? header.indexOf('flow json') : header.indexOf('setting');
    const defaults = header.indexOf('default');
    if (name < 0 || defaults < 0) continue;
    const rows: TableRow[] = [];
    for (index += 2; lines[index]?.startsWith('|'); index++) {
      const row = cells(lines[index]);
      const setting = /^`([a-z_]+)`$/.exec(row[name])?.[1];
      if (setting) rows.push({ setting, cell: row[defaults] });
    }
    tables.push(rows);
  }
  return tables;
}

/** The node a table is about: the one whose rules hold every setting it names. */
function nodeOfTable(rows: TableRow[]): NodeType {
  const settings = rows.map((row) => row.setting).filter((setting) => !NODE_REFERENCES.includes(setting));
  const nodes = (Object.keys(NODES) as NodeType[]).filter((node) =>
    settings.every((setting) => setting in NODES[node]),
  );
  should(nodes).have.length(1, `README table of ${settings.join(', ')}: which node is it?`);
  return nodes[0];
}

describe('documented defaults: README.md', () => {
  const tables = readmeTables();

  it('has a settings table row, stating the rule default, for every setting of every node', () => {
    const documented = new Set<string>();
    for (const rows of tables) {
      const node = nodeOfTable(rows);
      for (const { setting, cell } of rows) {
        if (NODE_REFERENCES.includes(setting)) continue;
        should(statesDefault(node, setting, cell)).equal(
          true,
          `README: ${node} ${setting} default "${cell}", the rule's is ${JSON.stringify(NODES[node][setting].defaultValue)}`,
        );
        documented.add(`${node}.${setting}`);
      }
    }
    const all = Object.entries(NODES).flatMap(([node, rules]) =>
      Object.keys(rules).map((s) => `${node}.${s}`),
    );
    should(all.filter((setting) => !documented.has(setting))).eql([], 'settings without a README row');
  });
});

// ---- help ----

const DEFAULT_STATEMENTS: Record<string, { numbers: RegExp; marker: RegExp }> = {
  'en-US': { numbers: /\bdefaults? (\d+(?:(?:,| and) \d+)*)/g, marker: /\(the default[),]/g },
  de: { numbers: /\bStandard (\d+(?: und \d+)*)/g, marker: /\((?:Standard|die Vorgabe)[),]/g },
  ja: { numbers: /既定(?:値は)?\s*(\d+(?:と\d+)*)/g, marker: /[(（]既定[)）、]/g },
};

interface Mention {
  at: number;
  setting: string;
}

/** One default the help states: the setting, and the value as the help writes it. */
interface Statement {
  setting: string;
  value: string | number;
  where: string;
}

function catalog(language: string, node: NodeType): Record<string, Record<string, string>> {
  const file = path.join(ROOT, 'locales', language, `${node}.json`);
  return (JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, Record<string, string>>>)[
    node
  ];
}

/** The help with its whitespace collapsed and `<b\n>x</b\n>` written as `<b>x</b>`. */
function helpOf(language: string, node: NodeType): string {
  return readFileSync(path.join(ROOT, 'locales', language, `${node}.html`), 'utf8')
    .replace(/\s+/g, ' ')
    .replace(/<(\/?)(\w+)\s*>/g, '<$1$2>');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Every default the help of a node states, with the setting it is about. */
function helpStatements(language: string, node: NodeType): Statement[] {
  const html = helpOf(language, node);
  const rules = NODES[node];
  const messages = catalog(language, node);
  const mentions: Mention[] = [];
  for (const setting of Object.keys(rules)) {
    const label = messages.label?.[setting];
    for (const needle of [label && `<b>${escapeHtml(label)}</b>`, `<code>${setting}</code>`]) {
      if (!needle) continue;
      for (let at = html.indexOf(needle); at >= 0; at = html.indexOf(needle, at + 1))
        mentions.push({ at, setting });
    }
  }
  mentions.sort((a, b) => a.at - b.at);
  /** The settings named in the paragraph before `at`, the nearest last, each once in a row. */
  const namedBefore = (at: number): string[] => {
    const paragraph = html.lastIndexOf('<p>', at);
    const named: string[] = [];
    for (const mention of mentions) {
      if (mention.at > paragraph && mention.at < at && named[named.length - 1] !== mention.setting)
        named.push(mention.setting);
    }
    return named;
  };
  const statements: Statement[] = [];
  const { numbers, marker } = DEFAULT_STATEMENTS[language];
  for (const match of html.matchAll(numbers)) {
    const values = match[1].split(/\D+/).filter(Boolean).map(Number);
    const settings = namedBefore(match.index).slice(-values.length);
    const where = `${language} ${node} help: "${match[0]}"`;
    should(settings).have.length(values.length, `${where}: which setting is it about?`);
    values.forEach((value, index) => statements.push({ setting: settings[index], value, where }));
  }
  for (const match of html.matchAll(marker)) {
    const before = html.slice(html.lastIndexOf('<p>', match.index), match.index).trimEnd();
    const where = `${language} ${node} help: "${before.slice(-40)} ${match[0]}"`;
    const element = /<(i|b)>([^<]+)<\/\1>$/.exec(before)?.[2];
    const number = /(\d+)$/.exec(before)?.[1];
    if (element) {
      // A choice by its label: the setting with such a choice, the one named nearest if several are.
      const chosen = (setting: string): string | undefined =>
        rules[setting].choices?.find((choice) =>
          messages[setting]?.[choice]?.toLowerCase().startsWith(element.toLowerCase()),
        );
      const candidates = Object.keys(rules).filter((setting) => chosen(setting) !== undefined);
      const named = namedBefore(match.index);
      const setting =
        candidates.length === 1 ? candidates[0] : named.reverse().find((name) => candidates.includes(name));
      should.exist(setting, `${where}: which setting is it about?`);
      statements.push({ setting: setting!, value: chosen(setting!)!, where });
    } else {
      should.exist(number, `${where}: what is the default?`);
      const setting = namedBefore(match.index).pop();
      should.exist(setting, `${where}: which setting is it about?`);
      statements.push({ setting: setting!, value: Number(number), where });
    }
  }
  return statements;
}

const LANGUAGES = readdirSync(path.join(ROOT, 'locales'));

describe('documented defaults: help', () => {
  for (const node of Object.keys(NODES) as NodeType[]) {
    for (const language of LANGUAGES) {
      it(`${language} ${node}: every default stated is the rule's`, () => {
        for (const statement of helpStatements(language, node)) {
          should(statement.value).equal(NODES[node][statement.setting].defaultValue, statement.where);
        }
      });

      it(`${language} ${node}: states the default of every number setting it names, and what blank means`, () => {
        const html = helpOf(language, node);
        const stated = new Set(helpStatements(language, node).map((statement) => statement.setting));
        const labels = catalog(language, node).label ?? {};
        const unstated = Object.entries(NODES[node])
          .filter(([setting, rule]) => {
            const label = labels[setting];
            return (
              typeof rule.defaultValue === 'number' &&
              label !== undefined &&
              html.includes(`<b>${escapeHtml(label)}</b>`) &&
              !stated.has(setting)
            );
          })
          .map(([setting]) => setting);
        should(unstated).eql([], `${language} ${node} help names these without their default`);
        for (const meaning of BLANK_MEANS_IN_HELP[node]) {
          should(html.includes(`${escapeHtml(meaning)}</code>`)).equal(
            true,
            `${language} ${node} help does not say blank means ...${meaning}`,
          );
        }
      });
    }

    it(`${node}: every language states the defaults en-US states`, () => {
      const settings = (language: string): string[] =>
        [...new Set(helpStatements(language, node).map((statement) => statement.setting))].sort();
      for (const language of LANGUAGES)
        should(settings(language)).eql(settings('en-US'), `${language} ${node} help`);
    });
  }
});
