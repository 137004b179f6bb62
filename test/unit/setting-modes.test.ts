// The editor, deploy and the command line agree on every setting in every mode: for each combination of
// the settings that choose a mode (and the formats), every setting's valid value passes all three, and
// each invalid value is rejected by the field's editor validator exactly when deploy's resolver (and so
// the command line) names that setting. A setting outside the mode that reads it is checked by none.
import should from 'should';
import { inspectKafkaNodes, type FlowNode } from '../../src/cli/flows-file';
import { resolveProduceSettings } from '../../src/settings/produce-settings';
import { resolveTriggerSettings } from '../../src/settings/trigger-settings';
import {
  PRODUCE_RULES,
  TRIGGER_RULES,
  type SettingProblem,
  type SettingRule,
} from '../../src/settings/setting-rules';
import { editorVerdict } from './editor-scripts';

type Config = Record<string, unknown>;

interface NodeCase {
  type: 'kafka-trigger' | 'kafka-produce';
  rules: Record<string, SettingRule<unknown, string>>;
  /** A valid value for every setting, in every mode. */
  valid: Config;
  /** Values the setting's rule rejects (none for settings that take any text). */
  invalid: Record<string, unknown[]>;
  /** The settings that choose a mode, and the values to walk for each. */
  modes: Record<string, unknown[]>;
  resolve(config: Config): { problem: SettingProblem } | { settings: unknown };
}

const TRIGGER: NodeCase = {
  type: 'kafka-trigger',
  rules: TRIGGER_RULES,
  valid: {
    topic: 'walk-topic',
    topic_refresh_interval: '17',
    consumer_group: 'walk-group',
    start_from: 'newest',
    start_timestamp: '2024-06-18T05:09:00Z',
    control: 'true',
    session_timeout: '20001',
    heartbeat_interval: '2001',
    delivery: 'handoff',
    max_in_flight: '7',
    complete_timeout: '901',
    dead_letter_topic: 'walk-dead-letters',
    transaction_interval: '250',
    isolation_level: 'read_committed',
    metrics_interval: '5',
    message_format: 'auto',
    key_format: 'text',
    output: 'record',
    max_batch_size: '33',
    max_batch_wait: '44',
  },
  invalid: {
    topic: ['', 'bad topic!', 'walk-a,,walk-b', '/(/'],
    topic_refresh_interval: ['0', 'soon'],
    consumer_group: [],
    start_from: ['latest'],
    start_timestamp: ['', 'yesterday', '2024-02-30T00:00:00Z'],
    control: ['yes'],
    session_timeout: ['0', 'soon'],
    heartbeat_interval: ['-1', '20001'],
    delivery: ['later'],
    max_in_flight: ['0', '1.5'],
    complete_timeout: ['soon'],
    dead_letter_topic: ['bad name'],
    transaction_interval: ['0', 'soon'],
    isolation_level: ['read_dirty'],
    metrics_interval: ['-1'],
    message_format: ['xml'],
    key_format: ['xml'],
    output: ['batches'],
    max_batch_size: ['0'],
    max_batch_wait: ['-5'],
  },
  modes: {
    topic: ['walk-topic', 'walk-a, walk-b', '/^walk-.*/'],
    start_from: [...TRIGGER_RULES.start_from.choices],
    delivery: [...TRIGGER_RULES.delivery.choices],
    output: [...TRIGGER_RULES.output.choices],
    message_format: [...TRIGGER_RULES.message_format.choices],
    key_format: [...TRIGGER_RULES.key_format.choices],
  },
  resolve: (config) => resolveTriggerSettings(config, 'n1'),
};

const PRODUCE: NodeCase = {
  type: 'kafka-produce',
  rules: PRODUCE_RULES,
  valid: {
    topic: 'walk-out',
    key: 'walk-key',
    acks: 'leader',
    idempotent: 'true',
    compression: 'gzip',
    send_timeout: '30001',
    message_format: 'auto',
    schema_subject: 'walk-subject',
  },
  invalid: {
    topic: ['bad topic!'],
    key: [],
    acks: ['some'],
    idempotent: ['yes'],
    compression: ['brotli'],
    send_timeout: ['0', '-5'],
    message_format: ['avro'],
    schema_subject: [],
  },
  modes: {
    message_format: [...PRODUCE_RULES.message_format.choices],
    acks: [...PRODUCE_RULES.acks.choices],
  },
  resolve: (config) => resolveProduceSettings(config),
};

/** Every combination of the mode settings' values. */
function modeCombinations(modes: Record<string, unknown[]>): Config[] {
  return Object.entries(modes).reduce<Config[]>(
    (combinations, [setting, values]) =>
      combinations.flatMap((combination) => values.map((value) => ({ ...combination, [setting]: value }))),
    [{}],
  );
}

/** The command line's verdict: undefined, or the message key of the problem it reports. */
function commandLineProblem(type: string, config: Config): string | undefined {
  const flow: FlowNode[] = [{ ...config, id: 'n1', type }];
  const [entry] = inspectKafkaNodes(flow, { KAFKA_BROKERS: 'walk-host:9092' }, (key) => key);
  return entry.problem;
}

for (const node of [TRIGGER, PRODUCE]) {
  describe(`${node.type}: the editor, deploy and the command line agree on every setting in every mode`, () => {
    const combinations = modeCombinations(node.modes);

    it('walks every setting, and every setting that chooses a mode', () => {
      should(Object.keys(node.valid).sort()).eql(Object.keys(node.rules).sort());
      should(Object.keys(node.invalid).sort()).eql(Object.keys(node.rules).sort());
      for (const [setting, rule] of Object.entries(node.rules)) {
        const mode = rule.appliesWhen?.setting;
        if (mode)
          should(mode in node.modes).equal(true, `${setting} depends on ${mode}, which is not walked`);
      }
    });

    it('accepts the valid values in every mode', () => {
      for (const combination of combinations) {
        const config = { ...node.valid, ...combination };
        const where = JSON.stringify(combination);
        should(node.resolve(config)).have.property('settings');
        should(commandLineProblem(node.type, config)).equal(undefined, `command line in ${where}`);
        for (const setting of Object.keys(node.rules)) {
          should(editorVerdict(node.type, setting, config)).equal(true, `editor: ${setting} in ${where}`);
        }
      }
    });

    it('rejects an invalid value in the editor exactly when deploy and the command line do', () => {
      let rejected = 0;
      for (const combination of combinations) {
        for (const [setting, values] of Object.entries(node.invalid)) {
          for (const value of values) {
            const config = { ...node.valid, ...combination, [setting]: value };
            const where = `${setting} ${JSON.stringify(value)} in ${JSON.stringify(combination)}`;
            const resolved = node.resolve(config);
            const problem = 'problem' in resolved ? resolved.problem : undefined;
            if (problem) should(problem.setting).equal(setting, `deploy blames another setting: ${where}`);
            const editor = editorVerdict(node.type, setting, config);
            should(editor !== true).equal(
              problem !== undefined,
              `${where}: the editor ${editor === true ? 'accepts' : 'rejects'} it, deploy ${problem ? 'rejects' : 'accepts'} it`,
            );
            should(commandLineProblem(node.type, config)).equal(
              problem && `${node.type}.errors.${problem.key}`,
              `command line: ${where}`,
            );
            if (problem) rejected += 1;
          }
        }
      }
      // Each invalid value is rejected in some mode.
      should(rejected).be.above(combinations.length);
    });
  });
}
