#!/usr/bin/env node
// `kafka-trigger list|validate <flows.json>`: the Kafka triggers of a Node-RED flows file, with the
// settings checks the runtime makes at deploy. Contacts no broker.
//   exit status 0: all valid, 1: at least one trigger invalid, 2: usage error or unreadable file
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FlowsFileError, inspectTriggers, readFlowsFile, type TriggerEntry } from './flows-file';

const USAGE = `Usage: kafka-trigger <command> [--json] <flows.json>

Commands:
  list       list the kafka-trigger nodes with their topic, group and brokers
  validate   check every kafka-trigger's settings; exit status 1 when one is invalid

Options:
  --json     print the result as JSON
  --help     show this text

Broker lists come from each trigger's kafka-broker node, else from KAFKA_BROKERS (the flow's,
the global or the process environment). No broker is contacted.`;

type Catalog = { [key: string]: string | Catalog };

export function main(argv: string[], out: (line: string) => void, err: (line: string) => void): number {
  const json = argv.includes('--json');
  const args = argv.filter((arg) => arg !== '--json');
  if (args.includes('--help') || args.includes('-h')) {
    out(USAGE);
    return 0;
  }
  const [command, file, ...rest] = args;
  if ((command !== 'list' && command !== 'validate') || !file || rest.length > 0) {
    err(USAGE);
    return 2;
  }
  let triggers: TriggerEntry[];
  try {
    triggers = inspectTriggers(readFlowsFile(file), process.env, loadMessages());
  } catch (error) {
    if (!(error instanceof FlowsFileError)) throw error;
    err(`kafka-trigger: ${error.message}`);
    return 2;
  }

  if (command === 'list') {
    if (json)
      out(
        JSON.stringify(
          triggers.map(({ problem: _problem, ...entry }) => entry),
          null,
          2,
        ),
      );
    else if (triggers.length === 0) out(`No kafka-trigger nodes in ${file}`);
    else printTable(triggers, out);
    return 0;
  }

  const invalid = triggers.filter((trigger) => trigger.problem !== undefined);
  if (json) {
    out(
      JSON.stringify(
        triggers.map((t) => ({ id: t.id, name: t.name, valid: !t.problem, problem: t.problem })),
        null,
        2,
      ),
    );
  } else if (triggers.length === 0) {
    out(`No kafka-trigger nodes in ${file}`);
  } else {
    for (const trigger of triggers)
      out(`${describe(trigger)}: ${trigger.problem ? `INVALID: ${trigger.problem}` : 'OK'}`);
    out(
      `${triggers.length} kafka-trigger node${triggers.length === 1 ? '' : 's'}, ${invalid.length} invalid`,
    );
  }
  return invalid.length > 0 ? 1 : 0;
}

function describe(trigger: TriggerEntry): string {
  const label = trigger.name || trigger.topic;
  return `${trigger.id}${label ? ` (${label})` : ''}${trigger.disabled ? ' [disabled]' : ''}`;
}

function printTable(triggers: TriggerEntry[], out: (line: string) => void): void {
  const rows = [
    ['ID', 'NAME', 'TOPIC', 'GROUP', 'BROKERS'],
    ...triggers.map((t) => [
      t.id + (t.disabled ? ' [disabled]' : ''),
      t.name || '-',
      t.topic || '(none)',
      t.group,
      t.brokers.length > 0
        ? t.brokers.join(',') + (t.brokersFrom === 'KAFKA_BROKERS' ? ' (KAFKA_BROKERS)' : '')
        : '(none)',
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows)
    out(
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    );
}

/** The runtime's English messages: the package's en-US catalogs, read where the build puts them. */
function loadMessages(): (key: string, params?: Record<string, string | number>) => string {
  const folders = [
    path.join(__dirname, '..', 'nodes', 'locales', 'en-US'), // dist/cli -> dist/nodes/locales
    path.join(__dirname, '..', '..', 'locales', 'en-US'), // src/cli -> locales
  ];
  const catalog: Catalog = {};
  for (const set of ['kafka-trigger', 'kafka-broker']) {
    const folder = folders.find((candidate) => existsSync(path.join(candidate, `${set}.json`)));
    if (folder) Object.assign(catalog, JSON.parse(readFileSync(path.join(folder, `${set}.json`), 'utf8')));
  }
  return (key, params = {}) => {
    let value: string | Catalog | undefined = catalog;
    for (const part of key.split('.')) value = typeof value === 'object' ? value[part] : undefined;
    if (typeof value !== 'string') return key;
    return value.replace(/__([a-zA-Z0-9_]+)__/g, (whole, name: string) =>
      name in params ? String(params[name]) : whole,
    );
  };
}

if (require.main === module) {
  process.exitCode = main(
    process.argv.slice(2),
    (line) => console.log(line),
    (line) => console.error(line),
  );
}
