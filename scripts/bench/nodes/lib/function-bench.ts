// What the bench's core function nodes reach through Node-RED's global context (the throw-away
// settings.js seeds `functionGlobalContext.bench` with it): the Probe that times and counts what a
// counting function node sees, the runner's start signal for a function node that emits records,
// a way to say a record failed, and the transactions a trigger's metrics msgs report. Function nodes
// cannot reach the process or its IPC channel.
import { Probe, nowMs, type ProbeMode } from './probe';
import { sendToRunner } from './produce-run';

/** The runner asks for the transactions the trigger's latest metrics msg reported; the answer. */
export type TransactionsRequest = { type: 'transactions' };
export type TransactionsMessage = { type: 'transactions'; committed: number; aborted: number };

export interface FunctionBenchConfig {
  mode: ProbeMode;
  expected: number;
}

export class FunctionBench {
  private readonly probe: Probe;
  private readonly startRequested: Promise<void>;
  private failures = 0;
  private transactions = { committed: 0, aborted: 0 };

  constructor(config: FunctionBenchConfig) {
    this.probe = new Probe(config);
    process.on('message', (request: { type: string }) => {
      if (request.type === 'transactions')
        process.send?.({ type: 'transactions', ...this.transactions } satisfies TransactionsMessage);
    });
    this.startRequested = new Promise((resolve) => {
      const onRequest = (request: { type: string }): void => {
        if (request.type !== 'start') return;
        process.off('message', onRequest);
        resolve();
      };
      process.on('message', onRequest);
    });
  }

  /** One msg reached the counting function node; a batch msg counts as its records. */
  arrived(payload?: unknown): void {
    if (Array.isArray(payload)) this.probe.arrivedMany(payload.length);
    else this.probe.arrived();
  }

  /** A metrics msg of the trigger: with exactly-once delivery it counts the transactions so far. */
  metrics(payload: { transactions?: { committed: number; aborted: number } }): void {
    if (payload.transactions) this.transactions = { ...payload.transactions };
  }

  /** Resolves once the runner says start, after telling it the first record is about to go. */
  async started(): Promise<void> {
    await this.startRequested;
    sendToRunner({ type: 'started', at: nowMs() });
  }

  /** A record was not written: the runner voids the run (said once). */
  failed(message: string): void {
    if (this.failures++ === 0) sendToRunner({ type: 'failed', error: message });
  }
}

export function createBench(config: FunctionBenchConfig): FunctionBench {
  return new FunctionBench(config);
}
