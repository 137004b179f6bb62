// A bench Node-RED's admin API, as the editor uses it: full deploys, and the nodes' statuses from
// the comms socket (every status change, the retained ones on subscribing).
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';

const UP_TIMEOUT_MS = 90_000;
const UP_POLL_MS = 200;

/** Waits until Node-RED answers on `baseUrl` (its HTTP server starts after the runtime has loaded). */
export async function waitForAdminApi(baseUrl: string, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + UP_TIMEOUT_MS;
  for (;;) {
    const exit = exited();
    if (exit) throw new Error(`Node-RED exited (${exit})`);
    try {
      // /auth/login answers without authentication.
      if ((await fetch(`${baseUrl}/auth/login`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`Node-RED on ${baseUrl} did not answer within ${UP_TIMEOUT_MS} ms`);
    await sleep(UP_POLL_MS);
  }
}

/** A full deploy of `flow`; resolves when the admin API answers (the old flows are stopped by then). */
export async function deploy(baseUrl: string, flow: object[]): Promise<void> {
  const response = await fetch(`${baseUrl}/flows`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
    body: JSON.stringify(flow),
  });
  if (!response.ok) throw new Error(`deploy failed: ${response.status} ${await response.text()}`);
}

type StatusEvent = { topic: string; data?: { text?: string } };

/** Every node's latest status text, kept up to date from the comms socket. */
export class StatusWatch {
  private readonly texts = new Map<string, string>();
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (raw: Buffer) => {
      for (const event of JSON.parse(raw.toString()) as StatusEvent[]) {
        if (!event.topic.startsWith('status/')) continue;
        this.texts.set(event.topic.slice('status/'.length), event.data?.text ?? '');
      }
      for (const waiter of this.waiters) waiter();
    });
  }

  static async open(baseUrl: string): Promise<StatusWatch> {
    const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/comms`);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ subscribe: 'status/#' }));
    return new StatusWatch(socket);
  }

  /** Resolves once every node of `ids` shows a status that `ready` accepts. */
  async waitAll(ids: string[], ready: (text: string) => boolean, timeoutMs: number): Promise<void> {
    const done = (): boolean => ids.every((id) => ready(this.texts.get(id) ?? ''));
    if (done()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const missing = ids.filter((id) => !ready(this.texts.get(id) ?? ''));
        const sample = missing.slice(0, 3).map((id) => `${id}: '${this.texts.get(id) ?? ''}'`);
        reject(
          new Error(
            `${missing.length} of ${ids.length} nodes not ready within ${timeoutMs} ms (${sample.join(', ')})`,
          ),
        );
      }, timeoutMs);
      const check = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  close(): void {
    this.socket.close();
  }
}
