// Node-RED node types used only by the produce bench: `bench-source` writes the run's records
// into the flow (bench-source -> kafka-produce -> bench-acks), and `bench-acks` takes what
// kafka-produce sends on, which it does once the broker acknowledged the record, plus what a
// Catch node reports. The source starts when the runner says so. In a throughput run it keeps at
// most `window` msgs between itself and the acks (a upstream with complete delivery, so kafka-produce
// never refuses one for a full queue); in a latency run it sends at a steady rate.
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { Probe, nowMs } from './lib/probe';
import {
  WARM_UP_SENT_AT,
  benchKey,
  benchValue,
  paced,
  sendToRunner,
  type ProduceRequest,
  type ProduceRun,
} from './lib/produce-run';

interface BenchSourceDef extends NodeDef {
  run: ProduceRun;
  window: number;
}

interface BenchAcksDef extends NodeDef {
  mode: ProduceRun['mode'];
  expected: number;
}

interface BenchMsg extends NodeMessage {
  key: string;
  /** Produce time as the Probe reads it; WARM_UP_SENT_AT for a warm-up record. */
  sentAt: string;
  error?: { message: string };
}

/** Msgs sent in one turn of the event loop, at most. */
const CHUNK = 500;

/** Between the two nodes of one flow (one flow per Node-RED process in the bench). */
const shared = {
  settled: 0,
  onSettled: (): void => undefined,
};

export = function register(RED: NodeAPI): void {
  function BenchSourceNode(this: Node, config: BenchSourceDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const run = config.run;
    const window = Number(config.window);
    const value = benchValue(run.valueBytes);
    let sequence = 0;
    let sentTotal = 0;

    const msgOf = (sentAt: string): BenchMsg => ({ payload: value, key: benchKey(sequence++), sentAt });

    /** Sends `count` msgs with at most `window` unsettled; resolves once all are settled. */
    const flood = (count: number, sentAt: () => string): Promise<void> =>
      new Promise((resolve) => {
        const target = sentTotal + count;
        let blocked = false;
        const step = (): void => {
          const room = window - (sentTotal - shared.settled);
          const chunk = Math.min(CHUNK, room, target - sentTotal);
          for (let i = 0; i < chunk; i += 1) node.send(msgOf(sentAt()));
          sentTotal += Math.max(0, chunk);
          if (sentTotal < target) {
            if (room - chunk >= CHUNK) setImmediate(step);
            else blocked = true;
          }
        };
        shared.onSettled = () => {
          if (shared.settled >= target) resolve();
          else if (blocked && window - (sentTotal - shared.settled) >= CHUNK) {
            blocked = false;
            setImmediate(step);
          }
        };
        step();
      });

    const start = async (): Promise<void> => {
      if (run.mode === 'throughput') {
        await flood(run.warmUpRecords, () => WARM_UP_SENT_AT);
        sendToRunner({ type: 'started', at: nowMs() });
        await flood(run.records, () => '');
        return;
      }
      await paced(run.rate, run.warmUpSeconds, () => node.send(msgOf(WARM_UP_SENT_AT)));
      const sent = await paced(run.rate, run.seconds, () => node.send(msgOf(nowMs().toFixed(3))));
      sendToRunner({ type: 'sent', measured: sent.emitted, rate: sent.rate });
    };

    const onRequest = (request: ProduceRequest): void => {
      if (request.type === 'start')
        start().catch((error: unknown) => sendToRunner({ type: 'failed', error: String(error) }));
    };
    process.on('message', onRequest);
    this.on('close', () => process.off('message', onRequest));
  }

  function BenchAcksNode(this: Node, config: BenchAcksDef): void {
    RED.nodes.createNode(this, config);
    const probe = new Probe({
      mode: config.mode === 'latency' ? 'latency' : 'drain',
      expected: Number(config.expected),
    });
    let failures = 0;

    this.on('input', (input: NodeMessage) => {
      const msg = input as BenchMsg;
      shared.settled += 1;
      if (msg.error) {
        // From the Catch node: kafka-produce did not write it.
        if (failures++ === 0) sendToRunner({ type: 'failed', error: msg.error.message });
      } else if (config.mode === 'latency') {
        probe.arrived(msg.sentAt);
      } else if (msg.sentAt !== WARM_UP_SENT_AT) {
        probe.arrived();
      }
      shared.onSettled();
    });

    this.on('close', () => probe.close());
  }

  RED.nodes.registerType('bench-source', BenchSourceNode);
  RED.nodes.registerType('bench-acks', BenchAcksNode);
};
