import type { NodeAPI } from 'node-red';

type Start = () => void;

const pendingByRuntime = new WeakMap<NodeAPI['events'], Set<Start>>();

/**
 * Runs `start` once the flows being deployed have started (Status nodes only see statuses set
 * after that). One runtime listener serves every node, so many triggers add no listeners.
 * Returns a function that cancels the start if it has not run yet.
 */
export function afterFlowsStart(RED: NodeAPI, start: Start): () => void {
  let pending = pendingByRuntime.get(RED.events);
  if (!pending) {
    const waiting = new Set<Start>();
    RED.events.on('flows:started', () => {
      const ready = [...waiting];
      waiting.clear();
      for (const run of ready) run();
    });
    pendingByRuntime.set(RED.events, waiting);
    pending = waiting;
  }
  pending.add(start);
  const queue = pending;
  return () => queue.delete(start);
}
