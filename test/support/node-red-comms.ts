// What a real Node-RED's editor sees over its /comms WebSocket: node statuses and the debug sidebar.
import WebSocket from 'ws';
import { waitFor } from './wait';
import { withoutHandoffMark } from './badge';

interface NodeStatus {
  text?: string;
  fill?: string;
  shape?: string;
}

/**
 * A debug sidebar entry: a Debug node's msg (it has a format) or a warn or error line of the
 * runtime log (it has a level).
 */
export interface SidebarMessage {
  /** The Debug node, or the node that logged the line. */
  id?: string;
  format?: string;
  level?: number;
  msg: string;
}

export interface EditorComms {
  /** Every debug sidebar entry since the connection opened. */
  readonly sidebar: SidebarMessage[];
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
    // The runtime sends batches of topic messages; an auth answer would be a lone object.
    // With the default binaryType, ws hands over each message as one Buffer.
    const received: unknown = JSON.parse((raw as Buffer).toString());
    const batch = Array.isArray(received) ? (received as { topic?: string; data: unknown }[]) : [];
    for (const { topic, data } of batch) {
      if (topic === 'debug') sidebar.push(data as SidebarMessage);
      else if (topic?.startsWith('status/')) statuses.set(topic.slice('status/'.length), data as NodeStatus);
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
    waitForStatus: async (id, key, timeoutMs = 30000) => {
      await waitFor(
        () => withoutHandoffMark(statuses.get(id)?.text) === `kafka-trigger.status.${key}`,
        timeoutMs,
        `status ${key} on ${id}`,
      ).catch((error: Error) => {
        throw new Error(`${error.message}; the latest is ${statuses.get(id)?.text ?? 'none'}`);
      });
    },
    close: () => socket.close(),
  };
}
