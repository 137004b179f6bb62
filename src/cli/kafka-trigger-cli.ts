#!/usr/bin/env node
// `kafka-trigger list|validate <flows.json>`: the Kafka triggers and producers of a Node-RED flows file,
// with the settings checks the runtime makes at deploy. Contacts no broker.
//   exit status 0: all valid, 1: at least one node invalid, 2: usage error or unreadable file
import {
  FlowsFileError,
  KAFKA_NODE_TYPES,
  inspectKafkaNodes,
  readFlowsFile,
  type KafkaNodeEntry,
} from './flows-file';
import { loadMessages } from './messages';

const USAGE = `Usage: kafka-trigger <command> [--json] <flows.json>

Commands:
  list       list the kafka-trigger and kafka-produce nodes with their topic, group, delivery
             and brokers
  validate   check every such node's settings; exit status 1 when one is invalid

Options:
  --json     print the result as JSON
  --help     show this text

Broker lists come from each node's kafka-broker node, else from KAFKA_BROKERS (the flow's,
the global or the process environment). No broker is contacted. Credentials (passwords,
secrets, AWS keys) are kept in flows_cred.json, which is not read: validate checks the settings
around them, such as the AWS region and, for aws-msk-iam, that AWS's signer is installed.`;

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
  let entries: KafkaNodeEntry[];
  try {
    entries = inspectKafkaNodes(
      readFlowsFile(file),
      process.env,
      loadMessages([...KAFKA_NODE_TYPES, 'kafka-broker']),
    );
  } catch (error) {
    if (!(error instanceof FlowsFileError)) throw error;
    err(`kafka-trigger: ${error.message}`);
    return 2;
  }

  if (command === 'list') {
    if (json)
      out(
        JSON.stringify(
          entries.map(({ problem: _problem, ...entry }) => entry),
          null,
          2,
        ),
      );
    else if (entries.length === 0) out(`No kafka-trigger or kafka-produce nodes in ${file}`);
    else printTable(entries, out);
    return 0;
  }

  const invalid = entries.filter((entry) => entry.problem !== undefined);
  if (json) {
    out(
      JSON.stringify(
        entries.map((e) => ({ type: e.type, id: e.id, name: e.name, valid: !e.problem, problem: e.problem })),
        null,
        2,
      ),
    );
  } else if (entries.length === 0) {
    out(`No kafka-trigger or kafka-produce nodes in ${file}`);
  } else {
    for (const entry of entries)
      out(`${describe(entry)}: ${entry.problem ? `INVALID: ${entry.problem}` : 'OK'}`);
    out(`${countByType(entries)}, ${invalid.length} invalid`);
  }
  return invalid.length > 0 ? 1 : 0;
}

/** "2 kafka-trigger nodes and 1 kafka-produce node": the types present, in a fixed order. */
function countByType(entries: KafkaNodeEntry[]): string {
  return KAFKA_NODE_TYPES.map((type) => entries.filter((entry) => entry.type === type).length)
    .map((count, index) =>
      count > 0 ? `${count} ${KAFKA_NODE_TYPES[index]} node${count === 1 ? '' : 's'}` : '',
    )
    .filter((part) => part !== '')
    .join(' and ');
}

function describe(entry: KafkaNodeEntry): string {
  const label = entry.name || entry.topic;
  return `${entry.id}${label ? ` (${label})` : ''}${entry.disabled ? ' [disabled]' : ''}`;
}

function printTable(entries: KafkaNodeEntry[], out: (line: string) => void): void {
  const rows = [
    ['ID', 'TYPE', 'NAME', 'TOPIC', 'GROUP', 'DELIVERY', 'BROKERS'],
    ...entries.map((t) => [
      t.id + (t.disabled ? ' [disabled]' : ''),
      t.type,
      t.name || '-',
      t.topic || (t.type === 'kafka-produce' ? '(msg.topic)' : '(none)'),
      t.group ?? '-',
      t.delivery ?? '-',
      t.brokers.length > 0
        ? t.brokers.join(',') + (t.brokersFrom === 'KAFKA_BROKERS' ? ' (KAFKA_BROKERS)' : '')
        : '(none)',
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows)
    out(
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    );
}

if (require.main === module) {
  process.exitCode = main(
    process.argv.slice(2),
    (line) => console.log(line),
    (line) => console.error(line),
  );
}
