// The Kafka sidebar's runtime in a real Node-RED process with adminAuth, against the real broker: who
// may look and who may reset, the live updates over comms (a paused trigger's exact lag, from the
// broker), the reset of an idle group and the refusal for a running one, and answers without secrets.
import { hashSync } from 'bcryptjs';
import should from 'should';
import { WebSocket } from 'ws';
import { brokerNode, tab, triggerNode, type FlowNode } from '../support/flows';
import { newTopic, produce, testKafka, uniqueName } from '../support/kafka';
import { startNodeRedProcess, type NodeRedProcess } from '../support/node-red-process';
import { establishedSocketsTo } from '../support/faults';
import { sharedBroker } from '../support/shared-broker';
import { waitFor } from '../support/wait';

const PASSWORD = 'sidebar-test-password';
const SIDEBAR = '/kafka-trigger/sidebar';

interface GroupAnswer {
  state: string;
  members: unknown[];
  offsets: { partition: number; committed: number | null; lag: number | null }[];
  lag: number;
}

/** A route's answer: the result, or a problem (its key and params). */
interface Answer {
  result: Record<string, unknown>;
  problem: Record<string, unknown>;
}

describe('the Kafka sidebar routes', function () {
  this.timeout(120000);
  let nodeRed: NodeRedProcess;
  let topic = '';
  let group = '';
  const tokens: Record<string, string> = {};
  const answers: string[] = [];

  async function request(user: string, method: string, path: string, body?: unknown) {
    const response = await fetch(`${nodeRed.baseUrl}${SIDEBAR}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tokens[user]}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    answers.push(text);
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Answer };
  }

  before(async () => {
    topic = await newTopic('sidebar');
    group = uniqueName('sidebar-group');
    await produce(topic, [{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
    const flows: FlowNode[] = [
      tab(),
      brokerNode('b1', sharedBroker().bootstrap, { name: 'sidebar broker' }),
      triggerNode('t1', {
        name: 'watched trigger',
        broker: 'b1',
        topic,
        consumer_group: group,
        start_from: 'earliest',
        control: true,
      }),
      { id: 'in', type: 'http in', z: 'tab1', url: '/pause', method: 'post', wires: [['set', 'out']] },
      { id: 'out', type: 'http response', z: 'tab1', wires: [] },
      {
        id: 'set',
        type: 'change',
        z: 'tab1',
        rules: [{ t: 'set', p: 'action', pt: 'msg', to: 'pause', tot: 'str' }],
        wires: [['t1']],
      },
    ];
    nodeRed = await startNodeRedProcess({
      flows,
      settings: {
        adminAuth: {
          type: 'credentials',
          users: [
            { username: 'admin', password: hashSync(PASSWORD, 8), permissions: '*' },
            { username: 'reader', password: hashSync(PASSWORD, 8), permissions: 'read' },
          ],
        },
      },
    });
    for (const [user, scope] of [
      ['admin', '*'],
      ['reader', 'read'],
    ]) {
      const response = await fetch(`${nodeRed.baseUrl}/auth/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: 'node-red-admin',
          grant_type: 'password',
          scope,
          username: user,
          password: PASSWORD,
        }),
      });
      tokens[user] = ((await response.json()) as { access_token: string }).access_token;
    }
  });

  after(async () => {
    await nodeRed?.stop('SIGTERM', 10000);
  });

  it('refuses a caller without a login', async () => {
    const response = await fetch(`${nodeRed.baseUrl}${SIDEBAR}/brokers`);
    should(response.status).equal(401);
  });

  it('lets a read-only user look: broker nodes, topics, groups, a reset plan', async () => {
    const brokers = await request('reader', 'GET', '/brokers');
    should(brokers.body.result.brokers).eql([{ id: 'b1', label: 'sidebar broker' }]);
    const topics = await request('reader', 'GET', '/b1/topics');
    should(topics.body.result.topics).containEql({ topic, partitions: 1 });
    should(topics.body.result).have.property('truncated', false);
    const described = await waitFor(async () => {
      const answer = (await request('reader', 'GET', `/b1/group?group=${group}`)).body
        .result as unknown as GroupAnswer;
      return answer.offsets[0]?.committed === 3 ? answer : undefined;
    });
    should(described?.members).have.length(1);
    const plan = await request('reader', 'POST', '/b1/reset-plan', { group, topic, to: 'earliest' });
    should(plan.body.result.partitions).eql([{ partition: 0, before: 3, after: 0 }]);
  });

  it('refuses a reset to a read-only user (403)', async () => {
    const reset = await request('reader', 'POST', '/b1/reset', { group, topic, to: 'earliest' });
    should(reset.status).equal(403);
  });

  it("publishes a paused trigger's exact lag from the broker while an editor watches", async () => {
    const socket = new WebSocket(`${nodeRed.baseUrl.replace('http', 'ws')}/comms`);
    const updates: {
      brokers: {
        nodes: { id: string; figures?: { state: string } }[];
        groups: Record<string, GroupAnswer>;
        history: Record<string, unknown[]>;
      }[];
    }[] = [];
    socket.on('open', () => socket.send(JSON.stringify({ auth: tokens.reader })));
    socket.on('message', (raw) => {
      const events = [JSON.parse((raw as Buffer).toString()) as unknown].flat() as {
        auth?: string;
        topic?: string;
        data: never;
      }[];
      for (const event of events) {
        // Node-RED takes subscriptions once the login is accepted.
        if (event.auth === 'ok') socket.send(JSON.stringify({ subscribe: 'kafka-trigger/sidebar/deployed' }));
        if (event.topic === 'kafka-trigger/sidebar/deployed') updates.push(event.data);
      }
    });
    try {
      await fetch(`${nodeRed.baseUrl}/pause`, { method: 'POST' });
      await waitFor(async () => {
        await request('reader', 'POST', '/watch');
        const last = updates[updates.length - 1];
        return last?.brokers[0].nodes[0].figures?.state === 'paused';
      });
      await produce(topic, [{ value: 'd' }, { value: 'e' }, { value: 'f' }, { value: 'g' }]);
      const update = await waitFor(() => {
        const last = updates[updates.length - 1];
        return last?.brokers[0].groups[group]?.lag === 4 ? last : undefined;
      });
      should(update?.brokers[0].history.t1.length).be.above(0);
      answers.push(JSON.stringify(updates));
    } finally {
      socket.close();
    }
  });

  it('refuses to reset a group with a running trigger, and resets an idle group', async () => {
    const refused = await request('admin', 'POST', '/b1/reset', { group, topic, to: 'earliest' });
    should(refused.body.problem).have.properties({ key: 'group-active' });
    const idle = uniqueName('sidebar-idle');
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await admin.setOffsets({ groupId: idle, topic, partitions: [{ partition: 0, offset: '1' }] });
      const reset = await request('admin', 'POST', '/b1/reset', { group: idle, topic, to: 'latest' });
      should(reset.body.result.partitions).eql([{ partition: 0, before: 1, after: 7 }]);
      const [committed] = await admin.fetchOffsets({ groupId: idle, topics: [topic] });
      should(committed.partitions[0].offset).equal('7');
    } finally {
      await admin.disconnect();
    }
  });

  it('answers bad input with a problem, an unknown broker node with 404, and never a secret', async () => {
    const bad = await request('admin', 'POST', '/b1/reset', {
      group,
      topic: 'no such topic!',
      to: 'earliest',
    });
    should(bad.body.problem).have.properties({ key: 'invalid-topic' });
    const missing = await request('reader', 'GET', '/nope/topics');
    should(missing.status).equal(404);
    for (const answer of answers) should(answer).not.match(/password|sasl|credential|PLAIN/i);
  });

  it('peeks at the newest records, or from a time on, joining no group and committing nothing', async () => {
    const peekTopic = await newTopic('sidebar-peek', 2);
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await produce(peekTopic, [{ value: 'one', partition: 0 }]);
      const between = Date.now() + 1;
      await waitFor(() => Date.now() > between || undefined);
      await produce(peekTopic, [
        { value: 'two', partition: 1, headers: { source: 'test' } },
        { value: 'three', partition: 0, key: 'k' },
      ]);
      const groupsBefore = (await admin.listGroups()).groups.map(({ groupId }) => groupId).sort();
      const newest = await request('reader', 'GET', `/b1/peek?topic=${peekTopic}&count=2&format=text`);
      should(newest.body).have.property('result');
      const records = newest.body.result.records as { value: unknown; partition: number; key: unknown }[];
      should(records.map(({ value }) => value).sort()).eql(['three', 'two']);
      const fromTime = await request(
        'reader',
        'GET',
        `/b1/peek?topic=${peekTopic}&from=${between}&format=text`,
      );
      should(fromTime.body).have.property('result');
      should((fromTime.body.result.records as { value: unknown }[]).map(({ value }) => value).sort()).eql([
        'three',
        'two',
      ]);
      const all = await request('reader', 'GET', `/b1/peek?topic=${peekTopic}&count=100000&format=hex`);
      should(all.body).have.property('result');
      should((all.body.result.records as { value: unknown }[]).map(({ value }) => value)).containEql(
        Buffer.from('one').toString('hex'),
      );
      const groupsAfter = (await admin.listGroups()).groups.map(({ groupId }) => groupId).sort();
      should(groupsAfter).eql(groupsBefore);
      const missing = await request('reader', 'GET', '/b1/peek?topic=no-such-topic-here');
      should(missing.body.problem).have.properties({ key: 'topic-missing' });
    } finally {
      await admin.disconnect();
    }
  });

  it("closes a removed broker node's connections while an editor goes on watching", async () => {
    const port = Number(sharedBroker().bootstrap.split(':')[1]);
    const pid = nodeRed.child.pid!;
    await request('reader', 'POST', '/watch');
    should(establishedSocketsTo(port, pid)).be.above(0);
    const deployed = await fetch(`${nodeRed.baseUrl}/flows`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Node-RED-Deployment-Type': 'full',
        Authorization: `Bearer ${tokens.admin}`,
      },
      body: JSON.stringify([tab()]),
    });
    should(deployed.ok).be.true();
    // The editor goes on watching: the updates list no broker node, and its connections close.
    const rounds = await watchedRounds(2);
    should(rounds[rounds.length - 1].brokers).eql([]);
    await waitFor(async () => {
      await request('reader', 'POST', '/watch');
      return establishedSocketsTo(port, pid) === 0 || undefined;
    });
  });

  /** Watches until `count` updates have come over comms, and answers them. */
  async function watchedRounds(count: number): Promise<{ brokers: unknown[] }[]> {
    const socket = new WebSocket(`${nodeRed.baseUrl.replace('http', 'ws')}/comms`);
    const updates: { brokers: unknown[] }[] = [];
    socket.on('open', () => socket.send(JSON.stringify({ auth: tokens.reader })));
    socket.on('message', (raw) => {
      for (const event of [JSON.parse((raw as Buffer).toString()) as unknown].flat() as {
        auth?: string;
        topic?: string;
        data: never;
      }[]) {
        if (event.auth === 'ok') socket.send(JSON.stringify({ subscribe: 'kafka-trigger/sidebar/deployed' }));
        if (event.topic === 'kafka-trigger/sidebar/deployed') updates.push(event.data);
      }
    });
    try {
      await waitFor(async () => {
        await request('reader', 'POST', '/watch');
        return updates.length > count || undefined;
      });
      return updates;
    } finally {
      socket.close();
    }
  }
});
