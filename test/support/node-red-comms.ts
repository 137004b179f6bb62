// What a real Node-RED's editor sees over its /comms WebSocket: node statuses and the debug sidebar.
import WebSocket from 'ws';
import { waitFor } from './wait';

export interface NodeStatus {
  text?: string;
  fill?: string;
  shape?: string;
}

/** A debug sidebar entry: a Debug node's msg, or a warn or error line of the runtime log. */
export interface SidebarMessage {
  id?: string;
  level?: number;
  msg: string;
}

export interface EditorComms {
  /** Every debug sidebar entry since the connection opened. */
  readonly sidebar: SidebarMessage[];
  /** The node's latest status. */
  status(id: string): NodeStatus | undefined;
  /** Waits until the node's latest status text is the given locale key of the kafka-trigger node. */
  waitForStatus(id: string, key: string, timeoutMs?: number): Promise<void>;
  close(): void;
}

/**
 * Connects to /comms as the editor does. Statuses are retained by the runtime, so the latest
 * status of every node arrives on subscribing; sidebar entries arrive only from then on.
 */
export async function connectEditorComms(baseUrl: string): Promise<EditorComms> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/comms`);
  const statuses = new Map<string, NodeStatus>();
  const sidebar: SidebarMessage[] = [];
  socket.on('message', (raw) => {
    for (const { topic, data } of JSON.parse(String(raw)) as { topic: string; data: unknown }[]) {
      if (topic === 'debug') sidebar.push(data as SidebarMessage);
      else if (topic.startsWith('status/')) statuses.set(topic.slice('status/'.length), data as NodeStatus);
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  // A failure after the connection opened shows up as statuses that never come.
  socket.on('error', () => undefined);
  for (const topic of ['status/#', 'debug']) socket.send(JSON.stringify({ subscribe: topic }));
  return {
    sidebar,
    status: (id) => statuses.get(id),
    waitForStatus: async (id, key, timeoutMs = 30000) => {
      await waitFor(
        () => statuses.get(id)?.text === `kafka-trigger.status.${key}`,
        timeoutMs,
        `status ${key} on ${id}`,
      ).catch((error: Error) => {
        throw new Error(`${error.message}; the latest is ${statuses.get(id)?.text ?? 'none'}`);
      });
    },
    close: () => socket.close(),
  };
}
