// Every message key the runtime or the editor uses exists in en-US, and every language has exactly
// en-US's keys (no more, no fewer, none empty, the same __placeholders__) and the same help files.
//
// Keys used by the runtime are found in the TypeScript sources with the compiler's parser: literal keys,
// a key prefix constant joined with a literal (`STATUS + 'connected'`), and keys built at run time
// (`kafka-trigger.errors.${errorKey}`), whose possible values are traced back to literals: a variable's
// initialiser, the arguments of every call of the function whose parameter it is, the values of the map
// it is looked up in, or the `problem` keys of the function whose result it comes from (for the resolvers
// of the setting rules, the keys the rules module lists). An expression the test cannot trace fails the
// test: teach resolve() the new pattern.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import should from 'should';
import { flatten, type Catalog } from '../support/catalogs';
import ts from 'typescript';
import { OPERATION_PROBLEM_KEYS } from '../../src/admin/operation-problem';
import {
  ADMIN_PROBLEM_KEYS,
  BROKER_PROBLEM_KEYS,
  PRODUCE_PROBLEM_KEYS,
  TRIGGER_PROBLEM_KEYS,
} from '../../src/settings/setting-rules';

const ROOT = path.resolve(__dirname, '..', '..');
const LOCALES = path.join(ROOT, 'locales');
const NAMESPACES = ['kafka-trigger', 'kafka-produce', 'kafka-broker', 'kafka-admin'];
const KEY = /^(kafka-trigger|kafka-produce|kafka-broker|kafka-admin)\.[A-Za-z0-9_.-]*$/;
/**
 * The resolvers that check settings with the rules: the compiler holds their problem keys to these
 * lists, so the lists are what they can return.
 */
const RULE_RESOLVERS: Record<string, readonly string[]> = {
  resolveTriggerSettings: TRIGGER_PROBLEM_KEYS,
  resolveProduceSettings: PRODUCE_PROBLEM_KEYS,
  resolveBrokerSettings: BROKER_PROBLEM_KEYS,
  resolveAdminSettings: ADMIN_PROBLEM_KEYS,
  // Not a resolver: the admin operations' problems, which the compiler holds to their list too.
  operationFailure: OPERATION_PROBLEM_KEYS,
};

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return filesUnder(full, suffix);
    return name.endsWith(suffix) ? [full] : [];
  });
}

function messages(language: string): Map<string, string> {
  const all = new Map<string, string>();
  for (const namespace of NAMESPACES) {
    const file = path.join(LOCALES, language, `${namespace}.json`);
    for (const [key, text] of flatten(JSON.parse(readFileSync(file, 'utf8')) as Catalog)) all.set(key, text);
  }
  return all;
}

function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/__([A-Za-z0-9_]+)__/g)].map((match) => match[1]))].sort();
}

// ---- keys used by the runtime (src/**/*.ts) ----

export class SourceKeys {
  private readonly files: ts.SourceFile[];
  readonly keys = new Set<string>();

  constructor(dir: string) {
    this.files = filesUnder(dir, '.ts').map((file) =>
      ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true),
    );
    for (const file of this.files) this.visit(file);
  }

  private visit(node: ts.Node): void {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      if (KEY.test(node.text) && !node.text.endsWith('.') && !isPermission(node) && !isIcon(node)) {
        this.keys.add(node.text);
      }
    } else if (ts.isTemplateExpression(node) || ts.isBinaryExpression(node)) {
      if (this.startsWithKeyPrefix(node)) {
        for (const key of this.resolve(node)) this.keys.add(key);
        return;
      }
    }
    ts.forEachChild(node, (child) => this.visit(child));
  }

  private startsWithKeyPrefix(node: ts.TemplateExpression | ts.BinaryExpression): boolean {
    if (ts.isTemplateExpression(node)) {
      if (node.head.text !== '') return KEY.test(node.head.text);
      const first = node.templateSpans[0].expression;
      return ts.isIdentifier(first) && this.isPrefixConstant(first);
    }
    if (node.operatorToken.kind !== ts.SyntaxKind.PlusToken) return false;
    return (
      (ts.isStringLiteral(node.left) && KEY.test(node.left.text)) ||
      (ts.isIdentifier(node.left) && this.isPrefixConstant(node.left))
    );
  }

  private isPrefixConstant(identifier: ts.Identifier): boolean {
    const declaration = this.declarationOf(identifier);
    return (
      !!declaration &&
      ts.isVariableDeclaration(declaration) &&
      !!declaration.initializer &&
      ts.isStringLiteral(declaration.initializer) &&
      KEY.test(declaration.initializer.text)
    );
  }

  /** Every string the expression can evaluate to; throws when the test cannot tell. */
  resolve(expression: ts.Expression): string[] {
    if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression))
      return [expression.text];
    if (ts.isParenthesizedExpression(expression) || ts.isAsExpression(expression)) {
      return this.resolve(expression.expression);
    }
    if (ts.isConditionalExpression(expression)) {
      return [...this.resolve(expression.whenTrue), ...this.resolve(expression.whenFalse)];
    }
    if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      return product([this.resolve(expression.left), this.resolve(expression.right)]);
    }
    if (ts.isTemplateExpression(expression)) {
      const parts: string[][] = [[expression.head.text]];
      for (const span of expression.templateSpans)
        parts.push(this.resolve(span.expression), [span.literal.text]);
      return product(parts);
    }
    if (ts.isElementAccessExpression(expression) && ts.isIdentifier(expression.expression)) {
      const map = this.declarationOf(expression.expression);
      if (
        map &&
        ts.isVariableDeclaration(map) &&
        map.initializer &&
        ts.isObjectLiteralExpression(map.initializer)
      ) {
        return map.initializer.properties.flatMap((property) =>
          ts.isPropertyAssignment(property) ? this.resolve(property.initializer) : [],
        );
      }
    }
    if (
      ts.isPropertyAccessExpression(expression) &&
      expression.name.text === 'key' &&
      ts.isPropertyAccessExpression(expression.expression) &&
      expression.expression.name.text === 'problem' &&
      ts.isIdentifier(expression.expression.expression)
    ) {
      return this.problemKeys(expression.expression.expression);
    }
    if (ts.isIdentifier(expression)) {
      const declaration = this.declarationOf(expression);
      if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
        return this.resolve(declaration.initializer);
      }
      if (declaration && ts.isParameter(declaration)) return this.argumentsFor(declaration);
    }
    throw new Error(`cannot tell which message keys ${where(expression)} stands for`);
  }

  /** The declaration an identifier refers to, found by walking up its scopes. */
  private declarationOf(
    identifier: ts.Identifier,
  ): ts.VariableDeclaration | ts.ParameterDeclaration | undefined {
    const name = identifier.text;
    for (let scope: ts.Node | undefined = identifier.parent; scope; scope = scope.parent) {
      if (ts.isFunctionLike(scope)) {
        const parameter = scope.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name);
        if (parameter) return parameter;
      }
      if (ts.isBlock(scope) || ts.isSourceFile(scope)) {
        for (const statement of scope.statements) {
          if (!ts.isVariableStatement(statement)) continue;
          const found = statement.declarationList.declarations.find(
            (d) => ts.isIdentifier(d.name) && d.name.text === name,
          );
          if (found) return found;
        }
      }
    }
    return undefined;
  }

  /** The values a parameter receives: the matching argument of every call of its function. */
  private argumentsFor(parameter: ts.ParameterDeclaration): string[] {
    const fn = parameter.parent;
    const index = fn.parameters.indexOf(parameter);
    const name = functionName(fn);
    if (!name) throw new Error(`cannot tell which message keys ${where(parameter)} stands for`);
    const values: string[] = [];
    for (const call of this.callsOf(name)) {
      const argument = call.arguments[index];
      if (argument) values.push(...this.resolve(argument));
    }
    if (values.length === 0) throw new Error(`no call of ${name}() gives ${where(parameter)} a value`);
    return values;
  }

  private callsOf(name: string): ts.CallExpression[] {
    const calls: ts.CallExpression[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === name) {
        calls.push(node);
      }
      ts.forEachChild(node, visit);
    };
    for (const file of this.files) visit(file);
    return calls;
  }

  /** `result.problem.key` where `result` comes from calling F: the problem keys F's module returns. */
  private problemKeys(variable: ts.Identifier): string[] {
    const declaration = this.declarationOf(variable);
    const init = declaration && ts.isVariableDeclaration(declaration) ? declaration.initializer : undefined;
    if (!init || !ts.isCallExpression(init) || !ts.isIdentifier(init.expression)) {
      throw new Error(`cannot tell where ${where(variable)}.problem comes from`);
    }
    const callee = init.expression.text;
    const ruleKeys = RULE_RESOLVERS[callee];
    if (ruleKeys) return [...ruleKeys];
    const file = this.files.find((source) =>
      source.statements.some(
        (statement) => ts.isFunctionDeclaration(statement) && statement.name?.text === callee,
      ),
    );
    if (!file) throw new Error(`cannot find the function ${callee}() behind ${where(variable)}`);
    const keys: string[] = [];
    const visit = (node: ts.Node): void => {
      // problem('key', ...) helper calls, and { problem: { key: 'key', ... } } literals
      if (
        ts.isCallExpression(node) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === 'problem'
      ) {
        const first = node.arguments[0];
        if (first && ts.isStringLiteral(first)) keys.push(first.text);
      }
      if (
        ts.isPropertyAssignment(node) &&
        ts.isIdentifier(node.name) &&
        node.name.text === 'key' &&
        ts.isStringLiteral(node.initializer) &&
        ts.isObjectLiteralExpression(node.parent) &&
        ts.isPropertyAssignment(node.parent.parent) &&
        ts.isIdentifier(node.parent.parent.name) &&
        node.parent.parent.name.text === 'problem'
      ) {
        keys.push(node.initializer.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
    if (keys.length === 0)
      throw new Error(`${callee}() in ${path.relative(ROOT, file.fileName)} returns no problem keys`);
    return keys;
  }
}

/** `icon: 'kafka-trigger.svg'` in an editor script: a file name, not a message key. */
function isIcon(literal: ts.Node): boolean {
  const property = literal.parent;
  return (
    !!property &&
    ts.isPropertyAssignment(property) &&
    ts.isIdentifier(property.name) &&
    property.name.text === 'icon'
  );
}

/** `RED.auth.needsPermission('kafka-broker.write')`: a permission name, not a message key. */
function isPermission(literal: ts.Node): boolean {
  const call = literal.parent;
  return (
    !!call &&
    ts.isCallExpression(call) &&
    ts.isPropertyAccessExpression(call.expression) &&
    call.expression.name.text === 'needsPermission'
  );
}

function functionName(fn: ts.SignatureDeclaration): string | undefined {
  if (fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
  const parent = fn.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return undefined;
}

function product(parts: string[][]): string[] {
  return parts.reduce<string[]>((acc, part) => acc.flatMap((head) => part.map((tail) => head + tail)), ['']);
}

function where(node: ts.Node): string {
  const file = node.getSourceFile();
  const { line } = file.getLineAndCharacterOfPosition(node.getStart());
  return `"${node.getText()}" (${path.relative(ROOT, file.fileName)}:${line + 1})`;
}

// ---- keys used by the editor's dialog templates (nodes/*.html); its scripts are in src/editor ----

function editorKeys(): Set<string> {
  const keys = new Set<string>();
  for (const file of filesUnder(path.join(ROOT, 'nodes'), '.html')) {
    const html = readFileSync(file, 'utf8');
    for (const match of html.matchAll(/data-i18n="([^"]+)"/g)) {
      for (const key of match[1].split(';')) keys.add(key.replace(/^\[[^\]]*\]/, ''));
    }
    // node._('...'), this._('...') and RED._('...') calls
    for (const match of html.matchAll(/\b_\(\s*(['"])([^'"]+)\1/g)) keys.add(match[2]);
  }
  return keys;
}

function helpBlocks(language: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const namespace of NAMESPACES) {
    const html = readFileSync(path.join(LOCALES, language, `${namespace}.html`), 'utf8');
    for (const match of html.matchAll(
      /<script type="text\/html" data-help-name="([^"]+)">([\s\S]*?)<\/script>/g,
    )) {
      blocks.set(match[1], match[2]);
    }
  }
  return blocks;
}

describe('i18n: message catalogs and help', () => {
  const languages = readdirSync(LOCALES).filter((name) => statSync(path.join(LOCALES, name)).isDirectory());
  const english = messages('en-US');

  it('ships en-US, de and ja', () => {
    should(languages.sort()).eql(['de', 'en-US', 'ja']);
  });

  it('has an en-US message for every key the runtime uses', () => {
    const used = new SourceKeys(path.join(ROOT, 'src')).keys;
    // Sanity: the tracing found the keys built at run time, not only the literal ones.
    should([...used]).containDeep(['kafka-trigger.status.connected', 'kafka-trigger.errors.missing-topic']);
    const missing = [...used].filter((key) => !english.has(key)).sort();
    should(missing).eql([], `keys used in src/ but missing from locales/en-US: ${missing.join(', ')}`);
  });

  it('has an en-US message for every key the editor uses', () => {
    const used = editorKeys();
    should(used.size).be.above(10);
    const missing = [...used].filter((key) => !english.has(key)).sort();
    should(missing).eql(
      [],
      `keys used in nodes/*.html but missing from locales/en-US: ${missing.join(', ')}`,
    );
  });

  for (const language of ['de', 'ja']) {
    describe(language, () => {
      it('has the same files as en-US', () => {
        const relative = (lang: string): string[] =>
          filesUnder(path.join(LOCALES, lang), '')
            .map((file) => path.relative(path.join(LOCALES, lang), file))
            .sort();
        should(relative(language)).eql(relative('en-US'));
      });

      it('has exactly the en-US keys, none empty, with the same placeholders', () => {
        const translated = messages(language);
        const missing = [...english.keys()].filter((key) => !translated.has(key));
        const extra = [...translated.keys()].filter((key) => !english.has(key));
        should(missing).eql([], `${language} lacks ${missing.join(', ')}`);
        should(extra).eql([], `${language} has keys en-US does not: ${extra.join(', ')}`);
        for (const [key, text] of translated) {
          should(text.trim()).not.equal('', `${language} ${key} is empty`);
          should(placeholders(text)).eql(placeholders(english.get(key)!), `${language} ${key} placeholders`);
          // Status texts sit under the node in the workspace: keep them short, as Node-RED advises.
          if (key.startsWith('kafka-trigger.status.')) {
            should(text.replace(/__\w+__/g, '').length).be.belowOrEqual(20, `${language} ${key} is too long`);
          }
        }
      });

      it('has help for both nodes with the same sections and message properties as en-US', () => {
        const englishHelp = helpBlocks('en-US');
        const help = helpBlocks(language);
        should([...help.keys()].sort()).eql([...englishHelp.keys()].sort());
        for (const [type, block] of englishHelp) {
          const translated = help.get(type)!;
          should(translated.replace(/<[^>]+>/g, '').trim().length).be.above(
            100,
            `${language} help of ${type}`,
          );
          const count = (html: string, tag: RegExp): number => (html.match(tag) ?? []).length;
          should(count(translated, /<h3>/g)).equal(count(block, /<h3>/g), `${language} ${type}: sections`);
          const properties = (html: string): string[] =>
            [...html.matchAll(/<dt[^>]*>\s*([^<\s]+)/g)].map((match) => match[1]);
          should(properties(translated)).eql(properties(block), `${language} ${type}: message properties`);
        }
      });
    });
  }
});
