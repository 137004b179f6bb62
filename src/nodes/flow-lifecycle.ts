import type { NodeAPI } from 'node-red';
import type { FlowGate } from '../delivery/delivery';

type Start = () => void;

/**
 * What the nodes of this package need to know about the runtime's flows starting and stopping.
 * One runtime listener pair serves every node, so many triggers add no listeners. A run is the time
 * between two stops (full, modified-flows or modified-nodes deploys alike), counted by `stops`.
 */
export class FlowLifecycle implements FlowGate {
  /** How many flow stops have begun. */
  stops = 0;
  private flowsRunning = true;
  private readonly starting = new Set<Start>();
  private waitingForRun: (() => void)[] = [];

  constructor(events: NodeAPI['events']) {
    events.on('flows:stopping', () => {
      this.stops += 1;
      this.flowsRunning = false;
    });
    events.on('flows:started', () => {
      this.flowsRunning = true;
      const ready = [...this.starting];
      this.starting.clear();
      for (const start of ready) start();
      const waiting = this.waitingForRun;
      this.waitingForRun = [];
      for (const resume of waiting) resume();
    });
  }

  /**
   * Runs `start` once the flows being deployed have started (Status nodes only see statuses set
   * after that). Returns a function that cancels it if it has not run yet.
   */
  afterStart(start: Start): () => void {
    this.starting.add(start);
    return () => this.starting.delete(start);
  }

  isRunning(): boolean {
    return this.flowsRunning;
  }

  mark(): number {
    return this.stops;
  }

  /**
   * Node-RED queues each delivery with `setImmediate` (when its message hooks are synchronous, as
   * they are unless a plugin adds asynchronous ones), and immediates run in order: one more turn
   * comes after the deliveries of everything sent before.
   */
  async delivered(mark: number): Promise<boolean> {
    await new Promise((resolve) => setImmediate(resolve));
    return this.stops === mark;
  }

  running(ms: number): Promise<boolean> {
    if (this.flowsRunning) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.flowsRunning), ms);
      // A wait a closed node gave up on must not keep the process alive.
      timer.unref();
      this.waitingForRun.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

const byRuntime = new WeakMap<NodeAPI['events'], FlowLifecycle>();

/** The one FlowLifecycle of a Node-RED runtime. */
export function flowLifecycleOf(RED: NodeAPI): FlowLifecycle {
  let lifecycle = byRuntime.get(RED.events);
  if (!lifecycle) byRuntime.set(RED.events, (lifecycle = new FlowLifecycle(RED.events)));
  return lifecycle;
}
