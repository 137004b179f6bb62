// A Node-RED node type used only by the benchmark: the end of the flow. It counts what the
// kafka-trigger sends and, with `slow_ms` set, behaves like a slow downstream that works through
// one message at a time (`slow_ms` each), queueing the rest, as a node writing to a slow service
// would. The bench runner transpiles this file into the nodes dir of a throw-away Node-RED user dir.
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { Probe, SENT_AT_HEADER, type ProbeMode } from './lib/probe';

interface BenchSinkDef extends NodeDef {
  mode: ProbeMode;
  expected: number;
  slow_ms: number;
}

interface TriggerPayload {
  headers?: Record<string, string>;
}

export = function register(RED: NodeAPI): void {
  function BenchSinkNode(this: Node, config: BenchSinkDef): void {
    RED.nodes.createNode(this, config);
    const probe = new Probe({ mode: config.mode, expected: Number(config.expected) });
    const slowMs = Number(config.slow_ms) || 0;
    // Worked-off entries are cleared at once, so the queue holds only what still waits.
    const queue: (NodeMessage | undefined)[] = [];
    let head = 0;
    let working: NodeJS.Timeout | undefined;

    const workOne = (): void => {
      working = undefined;
      queue[head] = undefined;
      head += 1;
      if (head === queue.length) {
        queue.length = 0;
        head = 0;
      } else {
        working = setTimeout(workOne, slowMs);
      }
    };

    this.on('input', (msg: NodeMessage) => {
      // Batch output: msg.payload is an array of trigger data.
      const batch = Array.isArray(msg.payload) ? (msg.payload as TriggerPayload[]) : undefined;
      if (config.mode === 'latency') {
        for (const payload of batch ?? [msg.payload as TriggerPayload])
          probe.arrived((payload.headers ?? {})[SENT_AT_HEADER]);
      } else if (batch) {
        probe.arrivedMany(batch.length);
      } else {
        probe.arrived();
      }
      if (slowMs > 0) {
        queue.push(msg);
        probe.queued(queue.length - head);
        if (!working) working = setTimeout(workOne, slowMs);
      }
    });

    this.on('close', () => {
      clearTimeout(working);
      queue.length = 0;
      probe.close();
    });
  }

  RED.nodes.registerType('bench-sink', BenchSinkNode);
};
