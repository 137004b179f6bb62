// `npx tsx scripts/bench/sidebar-rate.ts`: the Kafka requests the editor's Kafka sidebar costs, with
// no editor, one and three editors watching (each sends the editor's watch every 10 s and holds a
// comms socket subscribed to the updates). A Node-RED with a broker node and two triggers (two
// groups) runs against a local broker; request-counter.ts counts every kafkajs request by API. The
// sidebar's cost is each window's count less the window without an editor.
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { WebSocket } from 'ws';
import { startLocalKafka } from '../kafka/local-kafka';
import { IpcChild, launchNodeRed } from './children';
import { deploy, waitForAdminApi } from './node-red-admin';
import type { CounterMessage } from './request-counter';

const WINDOW_S = Number(process.env.SIDEBAR_WINDOW_S ?? 60);
const RENEW_MS = 10000;

async function main(): Promise<void> {
  const broker = await startLocalKafka();
  const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const topics = ['sidebar-rate-a', 'sidebar-rate-b'];
  await admin.createTopics({
    topics: topics.map((topic) => ({ topic, numPartitions: 3 })),
    waitForLeaders: true,
  });
  await admin.disconnect();
  const launched = await launchNodeRed([], [], { adminApi: true, preload: 'request-counter.ts' });
  const child = new IpcChild<CounterMessage>('sidebar', launched.child, launched.logFile, launched.cleanUp);
  try {
    await waitForAdminApi(launched.baseUrl, () => undefined);
    await deploy(launched.baseUrl, [
      { id: 'tab', type: 'tab', label: 'sidebar rate' },
      { id: 'b1', type: 'kafka-broker', name: 'bench', brokers: broker.bootstrap },
      ...topics.map((topic, index) => ({
        id: `t${index}`,
        type: 'kafka-trigger',
        z: 'tab',
        broker: 'b1',
        topic,
        consumer_group: `${topic}-group`,
        delivery: 'handoff',
        wires: [[]],
      })),
    ]);
    await sleep(20000);
    const counts = async (): Promise<Record<string, number>> => {
      child.request({ type: 'request-counts' });
      return (await child.next('request-counts', 30000)).counts;
    };
    const windowOf = async (editors: number): Promise<Record<string, number>> => {
      const sockets = Array.from({ length: editors }, () => watchingEditor(launched.baseUrl));
      await sleep(RENEW_MS + 1000);
      const before = await counts();
      await sleep(WINDOW_S * 1000);
      const after = await counts();
      for (const socket of sockets) socket.close();
      // Watches expire (25 s) before the next window begins.
      await sleep(30000);
      return Object.fromEntries(Object.entries(after).map(([name, n]) => [name, n - (before[name] ?? 0)]));
    };
    const results: Record<string, Record<string, number>> = {};
    for (const editors of [0, 1, 3]) results[editors] = await windowOf(editors);
    const names = [...new Set(Object.values(results).flatMap((row) => Object.keys(row)))].sort();
    console.log(`requests per minute by API (window ${WINDOW_S} s)`);
    console.log(['editors', ...names].join('\t'));
    for (const [editors, row] of Object.entries(results))
      console.log(
        [editors, ...names.map((name) => (((row[name] ?? 0) * 60) / WINDOW_S).toFixed(1))].join('\t'),
      );
  } finally {
    await child.stop();
    await broker.destroy();
  }
}

/** What an open tab does: a comms socket subscribed to the updates, and the watch every 10 s. */
function watchingEditor(baseUrl: string): { close(): void } {
  const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/comms`);
  socket.on('open', () => socket.send(JSON.stringify({ subscribe: 'kafka-trigger/sidebar/deployed' })));
  const watch = (): void =>
    void fetch(`${baseUrl}/kafka-trigger/sidebar/watch`, { method: 'POST' }).catch(() => undefined);
  watch();
  const timer = setInterval(watch, RENEW_MS);
  return {
    close() {
      clearInterval(timer);
      socket.close();
    },
  };
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
