// Every setting in the rules module is used, from that module, by all three places that read settings:
// the runtime's resolvers, the command line and the editor. Each rule's check is wrapped with a recorder,
// then each place is given a value per setting that no other setting has: a rule that records its own
// value was asked by that place. A place with a copy of a rule would leave the recorder silent.
import should from 'should';
import { inspectKafkaNodes, type FlowNode } from '../../src/cli/flows-file';
import { resolveBrokerSettings } from '../../src/settings/broker-settings';
import { resolveProduceSettings } from '../../src/settings/produce-settings';
import { resolveTriggerSettings } from '../../src/settings/trigger-settings';
import { BROKER_VERSION, PRODUCE_VERSION, TRIGGER_VERSION } from '../../src/settings/migrations';
import {
  BROKER_RULES,
  PRODUCE_RULES,
  TRIGGER_RULES,
  type SettingRule,
} from '../../src/settings/setting-rules';
import { editorDefinitions } from './editor-scripts';

type Rules = Record<string, SettingRule<unknown, string>>;

/** A valid value for each setting, different from every other setting's and from its default. */
const TRIGGER_VALUES: Record<keyof typeof TRIGGER_RULES, string> = {
  // A /regex/ topic, the mode that reads topic_refresh_interval.
  topic: '/^walk-topic$/',
  topic_refresh_interval: '17',
  consumer_group: 'walk-group',
  start_from: 'timestamp',
  start_timestamp: '2024-06-18T05:09:00Z',
  control: 'true',
  session_timeout: '20001',
  heartbeat_interval: '2001',
  // exactly-once: the mode that reads transaction_interval, and the settings of complete delivery.
  delivery: 'exactly-once',
  max_in_flight: '7',
  complete_timeout: '901',
  dead_letter_topic: 'walk-dead-letters',
  transaction_interval: '251',
  isolation_level: 'read_uncommitted',
  metrics_interval: '5',
  message_format: 'text',
  key_format: 'buffer',
  output: 'batch',
  max_batch_size: '33',
  max_batch_wait: '44',
};
const PRODUCE_VALUES: Record<keyof typeof PRODUCE_RULES, string> = {
  topic: 'walk-out',
  key: 'walk-key',
  // all: the mode in which idempotent is read.
  acks: 'all',
  idempotent: 'false',
  compression: 'gzip',
  send_timeout: '30001',
  message_format: 'schema-registry',
  schema_subject: 'walk-subject',
};
// The OAuth settings are read with oauthbearer, aws_region with aws-msk-iam: BROKER_MSK_IAM covers it.
const BROKER_VALUES = {
  brokers: 'walk-host:9092',
  client_id: 'walk-client',
  use_tls: true,
  sasl_mechanism: 'oauthbearer',
  oauth_token_url: 'https://walk-idp/token',
  oauth_client_id: 'walk-oauth-client',
  oauth_scope: 'walk-scope',
  oauth_audience: 'walk-audience',
  aws_region: 'eu-walk-1',
  schema_registry_url: 'http://walk-registry:8081',
} satisfies Record<keyof typeof BROKER_RULES, string | boolean>;
const BROKER_MSK_IAM = { ...BROKER_VALUES, sasl_mechanism: 'aws-msk-iam' };
/** Editor properties that are not settings with a rule. */
const EDITOR_ONLY = ['name', 'version', 'outputs', 'inputs', 'broker', 'tls'];

describe('setting rules: one source for the runtime, the command line and the editor', () => {
  const asked = new Map<SettingRule<unknown, string>, unknown[]>();
  const originals = new Map<SettingRule<unknown, string>, SettingRule<unknown, string>['check']>();
  const editor = editorDefinitions();

  before(() => {
    const rules: SettingRule<unknown, string>[] = [
      ...Object.values(TRIGGER_RULES),
      ...Object.values(PRODUCE_RULES),
      ...Object.values(BROKER_RULES),
    ];
    for (const rule of rules) {
      const check = rule.check.bind(rule);
      originals.set(rule, check);
      rule.check = (value: unknown) => {
        asked.get(rule)!.push(value);
        return check(value);
      };
    }
  });
  beforeEach(() => {
    for (const rule of originals.keys()) asked.set(rule, []);
  });
  after(() => {
    for (const [rule, check] of originals) rule.check = check;
  });

  function shouldHaveAskedEveryRule(rules: Rules, values: Record<string, unknown>, where: string): void {
    for (const [setting, rule] of Object.entries(rules)) {
      should(asked.get(rule)!.includes(values[setting])).equal(
        true,
        `${where} did not check ${setting} with its rule`,
      );
    }
  }

  it('gives every rule a distinct test value', () => {
    should(Object.keys(TRIGGER_VALUES).sort()).eql(Object.keys(TRIGGER_RULES).sort());
    should(Object.keys(PRODUCE_VALUES).sort()).eql(Object.keys(PRODUCE_RULES).sort());
    should(Object.keys(BROKER_VALUES).sort()).eql(Object.keys(BROKER_RULES).sort());
    const values = [
      ...Object.values(TRIGGER_VALUES),
      ...Object.values(PRODUCE_VALUES),
      ...Object.values(BROKER_VALUES),
    ];
    should(new Set(values).size).equal(values.length);
  });

  it('the runtime resolvers check every setting with its rule', () => {
    should(resolveTriggerSettings(TRIGGER_VALUES, 'n1')).have.property('settings');
    shouldHaveAskedEveryRule(TRIGGER_RULES, TRIGGER_VALUES, 'resolveTriggerSettings');
    should(resolveProduceSettings(PRODUCE_VALUES)).have.property('settings');
    shouldHaveAskedEveryRule(PRODUCE_RULES, PRODUCE_VALUES, 'resolveProduceSettings');
    should(resolveBrokerSettings(BROKER_VALUES)).have.property('settings');
    should(resolveBrokerSettings(BROKER_MSK_IAM)).have.property('settings');
    shouldHaveAskedEveryRule(BROKER_RULES, BROKER_VALUES, 'resolveBrokerSettings');
  });

  it('the command line checks every setting with its rule', () => {
    const flow: FlowNode[] = [
      { id: 'tab1', type: 'tab' },
      { id: 'broker1', type: 'kafka-broker', ...BROKER_VALUES },
      { id: 'broker2', type: 'kafka-broker', ...BROKER_MSK_IAM },
      { id: 'trigger1', type: 'kafka-trigger', z: 'tab1', broker: 'broker1', ...TRIGGER_VALUES },
      { id: 'produce1', type: 'kafka-produce', z: 'tab1', broker: 'broker1', ...PRODUCE_VALUES },
      { id: 'produce2', type: 'kafka-produce', z: 'tab1', broker: 'broker2', ...PRODUCE_VALUES },
    ];
    const entries = inspectKafkaNodes(flow, {}, (key) => key);
    should(entries.map((entry) => entry.problem)).eql([undefined, undefined, undefined]);
    shouldHaveAskedEveryRule(TRIGGER_RULES, TRIGGER_VALUES, 'the command line');
    shouldHaveAskedEveryRule(PRODUCE_RULES, PRODUCE_VALUES, 'the command line');
    shouldHaveAskedEveryRule(BROKER_RULES, BROKER_VALUES, 'the command line');
  });

  for (const [type, rules, values, otherMode] of [
    ['kafka-trigger', TRIGGER_RULES, TRIGGER_VALUES, undefined],
    ['kafka-produce', PRODUCE_RULES, PRODUCE_VALUES, undefined],
    ['kafka-broker', BROKER_RULES, BROKER_VALUES, BROKER_MSK_IAM],
  ] as const) {
    it(`the ${type} editor has each rule's default and validates with it`, () => {
      const { defaults } = editor.get(type)!;
      should(Object.keys(defaults).sort()).eql(
        [...Object.keys(rules), ...EDITOR_ONLY.filter((name) => name in defaults)].sort(),
      );
      for (const config of otherMode ? [values, otherMode] : [values]) {
        const node = { id: 'n1', _: (key: string) => key, ...config };
        for (const [setting, rule] of Object.entries(rules as Rules)) {
          const property = defaults[setting];
          should(property.value).equal(rule.defaultValue, `${type} default of ${setting}`);
          // Node-RED shows a string result as the message only for validators with two parameters.
          should(property.validate).be.a.Function().with.property('length', 2);
          should(property.validate!.call(node, config[setting as keyof typeof config], {})).equal(true);
        }
      }
      shouldHaveAskedEveryRule(rules, values, `the ${type} editor`);
    });
  }

  it('the editor records the current version on new nodes', () => {
    should(editor.get('kafka-trigger')!.defaults.version.value).equal(TRIGGER_VERSION);
    should(editor.get('kafka-produce')!.defaults.version.value).equal(PRODUCE_VERSION);
    should(editor.get('kafka-broker')!.defaults.version.value).equal(BROKER_VERSION);
  });

  it('the editor says what the rule says, escaped for HTML', () => {
    const { defaults } = editor.get('kafka-trigger')!;
    const node = { id: 'n1', _: (key: string, params: unknown) => `${key} ${JSON.stringify(params)}` };
    const sanitize = (text: string): string => text.replace(/</g, '&lt;');
    (globalThis as unknown as { RED: { utils: { sanitize: typeof sanitize } } }).RED.utils.sanitize =
      sanitize;
    should(defaults.topic.validate!.call(node, '<b>', {})).equal(
      'kafka-trigger.errors.invalid-topic {"topic":"&lt;b>"}',
    );
    should(defaults.heartbeat_interval.validate!.call({ ...node, session_timeout: 3000 }, '3000', {})).equal(
      'kafka-trigger.errors.heartbeat-not-below-session {"heartbeat":3000,"session":3000}',
    );
  });

  it('names the setting in every problem it reports', () => {
    const wrong: Record<string, unknown> = {
      topic: '',
      start_from: 'x',
      delivery: 'x',
      metrics_interval: -1,
    };
    for (const [setting, rule] of Object.entries(TRIGGER_RULES as Rules)) {
      const checked = originals.get(rule)!.call(rule, setting in wrong ? wrong[setting] : 'not valid!');
      if ('problem' in checked) should(checked.problem.setting).equal(setting);
    }
    for (const [setting, rule] of Object.entries({ ...PRODUCE_RULES, ...BROKER_RULES } as Rules)) {
      const checked = originals.get(rule)!.call(rule, 'not valid!');
      if ('problem' in checked) should(checked.problem.setting).equal(setting);
    }
  });
});

describe('setting rules', () => {
  it('read the values typed environment variables give: numbers, booleans', () => {
    should(TRIGGER_RULES.topic.check(123)).eql({ value: '123' });
    should(TRIGGER_RULES.max_in_flight.check(50)).eql({ value: 50 });
    should(TRIGGER_RULES.session_timeout.check(true)).have.property('problem');
  });

  it('treat blank numbers as the default and text with only spaces as wrong, as the runtime always has', () => {
    should(TRIGGER_RULES.session_timeout.check('')).eql({ value: 10000 });
    should(TRIGGER_RULES.session_timeout.check('  ')).have.property('problem');
    should(TRIGGER_RULES.metrics_interval.check('  ')).eql({ value: 0 });
  });

  it('list the choices of each select, the default first but for delivery', () => {
    should(TRIGGER_RULES.start_from.choices).eql(['newest', 'earliest', 'timestamp']);
    should(TRIGGER_RULES.isolation_level.choices).eql(['read_committed', 'read_uncommitted']);
    // Hand-off stays first in the select, as it always was; a new node gets complete.
    should(TRIGGER_RULES.delivery.choices).eql(['handoff', 'complete', 'exactly-once']);
    should(TRIGGER_RULES.delivery.defaultValue).equal('complete');
    should(TRIGGER_RULES.delivery.check('')).eql({ value: 'complete' });
    should(TRIGGER_RULES.delivery.check(undefined)).eql({ value: 'complete' });
    should(BROKER_RULES.sasl_mechanism.choices).eql([
      'none',
      'plain',
      'scram-sha-256',
      'scram-sha-512',
      'oauthbearer',
      'aws-msk-iam',
    ]);
    should(BROKER_RULES.sasl_mechanism.defaultValue).equal('none');
  });
});
