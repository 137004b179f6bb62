// The `kafka-trigger` command line, run as a child process on temporary flows files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import should from 'should';
import { FlowEnvironment } from '../../src/cli/environment';
import type { FlowNode } from '../../src/cli/flows-file';

const ROOT = path.resolve(__dirname, '..', '..');
const ENTRY = path.join(ROOT, 'src', 'cli', 'kafka-trigger-cli.ts');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const { KAFKA_BROKERS: _unset, ...inherited } = process.env;
  const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', ENTRY, ...args], {
    cwd: ROOT,
    env: { ...inherited, ...env },
    encoding: 'utf8',
    timeout: 30000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const broker = { id: 'broker1', type: 'kafka-broker', name: 'local', brokers: 'kafka1:9092,kafka2:9092' };

function trigger(id: string, props: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    type: 'kafka-trigger',
    z: 'tab1',
    name: '',
    broker: 'broker1',
    topic: 'orders',
    consumer_group: '',
    start_from: 'newest',
    session_timeout: 10000,
    heartbeat_interval: 3000,
    wires: [[]],
    ...props,
  };
}

function producer(id: string, props: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    type: 'kafka-produce',
    z: 'tab1',
    name: '',
    broker: 'broker1',
    topic: 'orders-out',
    key: '',
    acks: 'all',
    compression: 'none',
    send_timeout: 30000,
    wires: [[]],
    ...props,
  };
}

describe('kafka-trigger command line', function () {
  this.timeout(30000);
  let dir = '';

  function flows(nodes: unknown, name = 'flows.json'): string {
    const file = path.join(dir, name);
    writeFileSync(file, typeof nodes === 'string' ? nodes : JSON.stringify(nodes));
    return file;
  }

  const tab = { id: 'tab1', type: 'tab', label: 'Orders' };

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kafka-trigger-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('validate', () => {
    it('prints one line per trigger and exits 1 when one is invalid', () => {
      const file = flows([
        tab,
        broker,
        trigger('good1', { name: 'orders in' }),
        trigger('bad1', { topic: 'user events!' }),
      ]);
      const result = run(['validate', file]);
      should(result.status).equal(1);
      should(result.stdout.trim().split('\n')).eql([
        'good1 (orders in): OK',
        'bad1 (user events!): INVALID: Invalid topic "user events!": use 1 to 249 letters, digits, \'.\', \'_\' or \'-\' (not "." or "..")',
        '2 kafka-trigger nodes, 1 invalid',
      ]);
      should(result.stderr).equal('');
    });

    it('exits 0 when every trigger is valid', () => {
      const file = flows([tab, broker, trigger('good1'), trigger('good2', { consumer_group: 'billing' })]);
      const result = run(['validate', file]);
      should(result.status).equal(0);
      should(result.stdout)
        .containEql('good1 (orders): OK')
        .and.containEql('2 kafka-trigger nodes, 0 invalid');
    });

    it('names each kind of problem in plain English', () => {
      const file = flows([
        tab,
        broker,
        { id: 'broker2', type: 'kafka-broker', brokers: 'kafka1' },
        { id: 'broker3', type: 'kafka-broker', brokers: 'kafka1:9092', sasl_mechanism: 'kerberos' },
        { id: 'broker4', type: 'kafka-broker', brokers: 'kafka1:9092', tls: 'nowhere' },
        trigger('heartbeat', { heartbeat_interval: 12000 }),
        trigger('number', { session_timeout: 'soon' }),
        trigger('start', { start_from: 'oldest' }),
        trigger('notopic', { topic: '' }),
        trigger('nobrokernode', { broker: 'gone' }),
        trigger('nobrokers', { broker: '' }),
        trigger('badlist', { broker: 'broker2' }),
        trigger('badsasl', { broker: 'broker3' }),
        trigger('badtls', { broker: 'broker4' }),
      ]);
      const result = run(['validate', file]);
      should(result.status).equal(1);
      const lines = result.stdout.trim().split('\n');
      should(lines).containDeep([
        'heartbeat (orders): INVALID: The heartbeat interval (12000 ms) must be lower than the session timeout (10000 ms)',
        'number (orders): INVALID: Invalid session_timeout "soon": use a positive whole number of milliseconds',
        'start (orders): INVALID: Invalid start_from "oldest": use newest, earliest or timestamp',
        'notopic: INVALID: A topic is required',
        'nobrokernode (orders): INVALID: The kafka-broker config node gone does not exist',
        'nobrokers (orders): INVALID: No Kafka brokers configured: set them on the kafka-broker config node or in the KAFKA_BROKERS environment variable',
        'badlist (orders): INVALID: Invalid broker address "kafka1": use host:port with a port from 1 to 65535',
        'badsasl (orders): INVALID: Unknown SASL mechanism "kerberos": use none, plain, scram-sha-256, scram-sha-512, oauthbearer or aws-msk-iam',
        'badtls (orders): INVALID: The TLS configuration nowhere is missing or invalid',
        '9 kafka-trigger nodes, 9 invalid',
      ]);
    });

    it('checks an aws-msk-iam broker for its region and the signer, and not for keys it cannot see', () => {
      const msk = { type: 'kafka-broker', brokers: 'b-1.example.com:9098', sasl_mechanism: 'aws-msk-iam' };
      const file = flows([
        tab,
        { ...msk, id: 'broker-noregion' },
        { ...msk, id: 'broker-badregion', aws_region: 'Frankfurt' },
        { ...msk, id: 'broker-msk', aws_region: 'eu-central-1' },
        trigger('noregion', { broker: 'broker-noregion' }),
        trigger('badregion', { broker: 'broker-badregion' }),
        // AWS's signer is a dev dependency here; the packaging test shows an install without it.
        trigger('msk', { broker: 'broker-msk' }),
      ]);
      const result = run(['validate', file]);
      should(result.status).equal(1);
      should(result.stdout.trim().split('\n')).containDeep([
        'noregion (orders): INVALID: Invalid AWS region "": use a region name such as eu-west-1',
        'badregion (orders): INVALID: Invalid AWS region "Frankfurt": use a region name such as eu-west-1',
        'msk (orders): OK',
      ]);
    });

    it('reads ${VAR} references and KAFKA_BROKERS from the flow and the process environment', () => {
      const file = flows([
        { ...tab, env: [{ name: 'ORDERS_TOPIC', value: 'orders-v2', type: 'str' }] },
        { id: 'tab2', type: 'tab', label: 'Other' },
        trigger('fromtab', { broker: '', topic: '${ORDERS_TOPIC}' }),
        trigger('unset', { z: 'tab2', broker: '', topic: '${MISSING_TOPIC}' }),
      ]);
      const result = run(['validate', file], { KAFKA_BROKERS: 'envhost:9092' });
      should(result.status).equal(1);
      should(result.stdout).containEql('fromtab (orders-v2): OK');
      should(result.stdout).containEql(
        'unset (${MISSING_TOPIC}): INVALID: topic is ${MISSING_TOPIC}, but MISSING_TOPIC is not set',
      );
      const listed = run(['list', '--json', file], { KAFKA_BROKERS: 'envhost:9092' });
      should((JSON.parse(listed.stdout) as unknown[])[0]).containDeep({
        id: 'fromtab',
        topic: 'orders-v2',
        brokers: ['envhost:9092'],
        brokersFrom: 'KAFKA_BROKERS',
      });
    });

    it('substitutes ${VAR} in every property, as the runtime does', () => {
      const file = flows([
        {
          ...tab,
          env: [
            { name: 'MAX', value: '50', type: 'str' },
            { name: 'SECS', value: '15', type: 'num' },
            { name: 'PARTS', value: '2', type: 'str' },
          ],
        },
        { id: 'broker1', type: 'kafka-broker', z: 'tab1', brokers: '${BROKERS}', sasl_mechanism: '${SASL}' },
        trigger('capped', { delivery: 'complete', max_in_flight: '${MAX}', metrics_interval: '${SECS}' }),
        // Unset, but only read in complete delivery: the runtime accepts it, so does the command line.
        trigger('handoff', { delivery: 'handoff', max_in_flight: '${UNSET_MAX}' }),
        // Written before complete became the default, without a delivery: migrated to hand-off.
        trigger('older', { max_in_flight: '${UNSET_MAX}' }),
        trigger('unsetmax', { delivery: 'complete', max_in_flight: '${UNSET_MAX}' }),
        // A current node without a delivery reads complete's settings, as the runtime does.
        trigger('current', { version: 2, max_in_flight: '${UNSET_MAX}' }),
      ]);
      const env = { BROKERS: 'kafka1:9092', SASL: 'none' };
      const result = run(['validate', file], env);
      const unset =
        'INVALID: max_in_flight is ${UNSET_MAX}, but UNSET_MAX is not set in the flow, global or process environment';
      should(result.stdout.trim().split('\n')).eql([
        'capped (orders): OK',
        'handoff (orders): OK',
        'older (orders): OK',
        `unsetmax (orders): ${unset}`,
        `current (orders): ${unset}`,
        '5 kafka-trigger nodes, 2 invalid',
      ]);
      should(result.status).equal(1);
      const listed = JSON.parse(run(['list', '--json', file], env).stdout) as { brokers: string[] }[];
      should(listed[0].brokers).eql(['kafka1:9092']);
    });

    it('accepts the { flows: [...] } form of the admin API', () => {
      const file = flows({ rev: 'abc', flows: [tab, broker, trigger('good1')] });
      const result = run(['validate', file]);
      should(result.status).equal(0);
      should(result.stdout).containEql('good1 (orders): OK');
    });

    it('checks kafka-produce nodes with the same rules as the runtime', () => {
      const file = flows([
        tab,
        broker,
        trigger('t1'),
        producer('p1', { name: 'orders out' }),
        producer('fromMsg', { topic: '' }),
        producer('acks', { acks: 'most' }),
        producer('codec', { compression: 'brotli' }),
        producer('timeout', { send_timeout: '-5' }),
        producer('topic', { topic: 'a b' }),
        producer('nobrokers', { broker: '' }),
        producer('nobrokernode', { broker: 'gone' }),
      ]);
      const result = run(['validate', file]);
      should(result.status).equal(1);
      should(result.stdout.trim().split('\n')).eql([
        't1 (orders): OK',
        'p1 (orders out): OK',
        'fromMsg: OK',
        'acks (orders-out): INVALID: Invalid acks "most": use all, leader or none',
        'codec (orders-out): INVALID: Invalid compression "brotli": use none, gzip, snappy, lz4 or zstd',
        'timeout (orders-out): INVALID: Invalid send_timeout "-5": use a positive whole number of milliseconds',
        'topic (a b): INVALID: Invalid topic "a b": use 1 to 249 letters, digits, \'.\', \'_\' or \'-\' (not "." or "..")',
        'nobrokers (orders-out): INVALID: No Kafka brokers configured: set them on the kafka-broker config node or in the KAFKA_BROKERS environment variable',
        'nobrokernode (orders-out): INVALID: The kafka-broker config node gone does not exist',
        '1 kafka-trigger node and 8 kafka-produce nodes, 6 invalid',
      ]);
    });

    it('says so when the file has no trigger or producer', () => {
      const file = flows([tab]);
      const result = run(['validate', file]);
      should(result.status).equal(0);
      should(result.stdout).containEql('No kafka-trigger or kafka-produce nodes in');
    });
  });

  describe('list', () => {
    it('shows id, type, name, topic, group, delivery and brokers of every trigger and producer', () => {
      const file = flows([
        tab,
        broker,
        trigger('t1', { name: 'orders in', version: 2 }),
        trigger('t2', { broker: '', consumer_group: 'billing', topic: 'invoices', delivery: 'handoff' }),
        producer('p1', { topic: '' }),
      ]);
      const result = run(['list', file]);
      should(result.status).equal(0);
      const lines = result.stdout.trimEnd().split('\n');
      should(lines[0]).match(/^ID\s+TYPE\s+NAME\s+TOPIC\s+GROUP\s+DELIVERY\s+BROKERS$/);
      should(lines[1].split(/\s{2,}/)).eql([
        't1',
        'kafka-trigger',
        'orders in',
        'orders',
        'operion-triggers-t1',
        'complete',
        'kafka1:9092,kafka2:9092',
      ]);
      should(lines[2].split(/\s{2,}/)).eql([
        't2',
        'kafka-trigger',
        '-',
        'invoices',
        'billing',
        'handoff',
        '(none)',
      ]);
      should(lines[3].split(/\s{2,}/)).eql([
        'p1',
        'kafka-produce',
        '-',
        '(msg.topic)',
        '-',
        '-',
        'kafka1:9092,kafka2:9092',
      ]);
    });

    it('shows the delivery the runtime uses: hand-off for a trigger written before version 2 without one', () => {
      const file = flows([
        tab,
        broker,
        trigger('unversioned'),
        trigger('v1', { version: 1 }),
        trigger('v2', { version: 2 }),
        trigger('v1-complete', { version: 1, delivery: 'complete' }),
        trigger('v2-exactly-once', { version: 2, delivery: 'exactly-once' }),
      ]);
      const listed = JSON.parse(run(['list', '--json', file]).stdout) as { id: string; delivery: string }[];
      should(listed.map(({ id, delivery }) => [id, delivery])).eql([
        ['unversioned', 'handoff'],
        ['v1', 'handoff'],
        ['v2', 'complete'],
        ['v1-complete', 'complete'],
        ['v2-exactly-once', 'exactly-once'],
      ]);
    });

    it('lists invalid triggers too, with exit status 0', () => {
      const file = flows([tab, broker, trigger('bad1', { topic: 'a b' })]);
      const result = run(['list', file], { KAFKA_BROKERS: 'envhost:9092' });
      should(result.status).equal(0);
      should(result.stdout).containEql('bad1');
    });
  });

  describe('usage and unreadable files', () => {
    it('exits 2 with the usage text for an unknown command or a missing file argument', () => {
      for (const args of [[], ['check', 'flows.json'], ['validate'], ['list', 'a.json', 'b.json']]) {
        const result = run(args);
        should(result.status).equal(2, `kafka-trigger ${args.join(' ')}`);
        should(result.stderr).containEql('Usage: kafka-trigger');
      }
    });

    it('exits 0 with the usage text for --help', () => {
      const result = run(['--help']);
      should(result.status).equal(0);
      should(result.stdout).containEql('Usage: kafka-trigger');
    });

    it('exits 2 when the file is missing, not JSON or not a flow', () => {
      const cases = [
        path.join(dir, 'missing.json'),
        flows('{ not json', 'broken.json'),
        flows({ hello: 'world' }, 'object.json'),
      ];
      for (const file of cases) {
        const result = run(['validate', file]);
        should(result.status).equal(2, file);
        should(result.stderr).startWith('kafka-trigger: ');
        should(result.stdout).equal('');
      }
    });
  });
});

describe('environment variables in a flows file', () => {
  function environment(nodes: FlowNode[], processEnv: NodeJS.ProcessEnv = {}): FlowEnvironment {
    return new FlowEnvironment(new Map(nodes.map((node) => [node.id, node])), processEnv);
  }
  const node: FlowNode = { id: 'n1', type: 'kafka-trigger', name: 'orders in', z: 'tab1', g: 'inner' };
  const scopes: FlowNode[] = [
    { id: 'global1', type: 'global-config', env: [{ name: 'V', value: 'global', type: 'str' }] },
    { id: 'tab1', type: 'tab', label: 'Orders', env: [{ name: 'V', value: 'tab', type: 'str' }] },
    {
      id: 'outer',
      type: 'group',
      name: 'outer group',
      z: 'tab1',
      env: [{ name: 'V', value: 'outer', type: 'str' }],
    },
    { id: 'inner', type: 'group', z: 'tab1', g: 'outer', env: [{ name: 'V', value: 'inner', type: 'str' }] },
    node,
  ];

  it('looks in the groups from the inside out, then the tab, the global env and the process env', () => {
    should(environment(scopes, { V: 'process' }).lookup(node, 'V')).equal('inner');
    const without = (id: string) => scopes.map((scope) => (scope.id === id ? { ...scope, env: [] } : scope));
    should(environment(without('inner')).lookup(node, 'V')).equal('outer');
    const tabFirst = without('inner').map((scope) => (scope.id === 'outer' ? { ...scope, env: [] } : scope));
    should(environment(tabFirst).lookup(node, 'V')).equal('tab');
    should(environment([node], { V: 'process' }).lookup(node, 'V')).equal('process');
    should(environment([scopes[0], node], { V: 'process' }).lookup(node, 'V')).equal('global');
  });

  it('answers the names Node-RED sets and skips a scope for $parent.', () => {
    const env = environment(scopes);
    should(env.lookup(node, 'NR_NODE_ID')).equal('n1');
    should(env.lookup(node, 'NR_NODE_NAME')).equal('orders in');
    should(env.lookup(node, 'NR_NODE_PATH')).equal('tab1/n1');
    should(env.lookup(node, 'NR_GROUP_ID')).equal('inner');
    should(env.lookup(node, 'NR_GROUP_NAME')).equal(undefined);
    should(env.lookup(node, 'NR_FLOW_NAME')).equal('Orders');
    should(env.lookup(node, '$parent.V')).equal('outer');
  });

  it('gives typed values and follows env entries', () => {
    const tab: FlowNode = {
      id: 'tab1',
      type: 'tab',
      env: [
        { name: 'NUM', value: '50', type: 'num' },
        { name: 'YES', value: 'true', type: 'bool' },
        { name: 'OBJ', value: '{"a":1}', type: 'json' },
        { name: 'FROM_PROCESS', value: 'HOST', type: 'env' },
        { name: 'SAME', value: 'SAME', type: 'env' },
        { name: 'JOINED', value: '${HOST}:${NUM}', type: 'env' },
        { name: 'MISSING', value: 'NOWHERE', type: 'env' },
      ],
    };
    const trigger: FlowNode = { id: 'n1', type: 'kafka-trigger', z: 'tab1' };
    const env = environment([tab, trigger], { HOST: 'kafka1', SAME: 'from process' });
    should(env.lookup(trigger, 'NUM')).equal(50);
    should(env.lookup(trigger, 'YES')).equal(true);
    should(env.lookup(trigger, 'OBJ')).eql({ a: 1 });
    should(env.lookup(trigger, 'FROM_PROCESS')).equal('kafka1');
    should(env.lookup(trigger, 'SAME')).equal('from process');
    should(env.lookup(trigger, 'JOINED')).equal('kafka1:50');
    should(env.lookup(trigger, 'MISSING')).equal('');
  });

  it('replaces whole-value references at any depth, in both forms, and reports what it could not', () => {
    const tab: FlowNode = {
      id: 'tab1',
      type: 'tab',
      env: [
        { name: 'MAX', value: '50', type: 'num' },
        { name: 'SECRET', value: '', type: 'cred' },
      ],
    };
    const trigger: FlowNode = {
      id: 'n1',
      type: 'kafka-trigger',
      z: 'tab1',
      max_in_flight: '${MAX}',
      complete_timeout: '$(MAX)',
      nested: { list: ['${MAX}', 'x${MAX}'] },
      topic: '${UNSET}',
      dead_letter_topic: '${SECRET}',
    };
    const substituted = environment([tab, trigger]).substitute(trigger);
    should(substituted.node).containDeep({
      max_in_flight: 50,
      complete_timeout: 50,
      nested: { list: [50, 'x${MAX}'] },
      topic: '${UNSET}',
      dead_letter_topic: '${SECRET}',
    });
    should([...substituted.unset]).eql([['topic', 'UNSET']]);
    should([...substituted.unknowable.keys()]).eql(['dead_letter_topic']);
    should(trigger.max_in_flight).equal('${MAX}');
  });
});
