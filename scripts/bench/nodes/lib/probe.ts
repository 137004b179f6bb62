// Counts, times and weighs the records that reach the end of a benchmark pipeline, and talks to
// the bench runner over the child process's IPC channel. Shared by the plain kafkajs consumer
// (the ceiling) and the Node-RED sink node, so both sides are measured by the same code.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export type ProbeMode = 'drain' | 'latency';

export interface ProbeConfig {
  mode: ProbeMode;
  /** drain: the run is over once this many records arrived. */
  expected: number;
}

export interface ProbeReport {
  count: number;
  /** Warm-up records of a latency run that arrived (not measured). */
  warmups: number;
  /** Epoch ms (fractional) of the first and the latest arrival. */
  firstAt: number;
  lastAt: number;
  /** process.hrtime in microseconds at the first and the latest arrival (matches --cpu-prof). */
  firstHrUs: number;
  lastHrUs: number;
  /** CPU time (user + system) of this process from the first to the latest arrival, microseconds. */
  cpuUs: number;
  /** Produce-to-arrival latencies of the measured records, sorted, ms. */
  latencies: number[];
  peakRss: number;
  peakHeapUsed: number;
  peakExternal: number;
  /** The kernel's high-water mark of resident memory (VmHWM), bytes; 0 where unknown. */
  rssHighWater: number;
  /** Largest backlog a slow downstream node held, when there is one. */
  peakQueued: number;
}

export type ProbeRequest = { type: 'reset' } | { type: 'report' };
export type ProbeMessage =
  { type: 'ready' } | { type: 'drained'; report: ProbeReport } | { type: 'report'; report: ProbeReport };

/**
 * The record header that carries the produce time (epoch ms, fractional); a leading `w` marks a
 * warm-up record of a latency run, which is counted apart and not measured.
 */
export const SENT_AT_HEADER = 'bench-sent-at';

const MEMORY_SAMPLE_MS = 50;

export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export class Probe {
  private count = 0;
  private warmups = 0;
  private firstAt = 0;
  private lastAt = 0;
  private firstHrUs = 0;
  private lastHrUs = 0;
  private firstCpu: NodeJS.CpuUsage = { user: 0, system: 0 };
  private cpuUs = 0;
  private latencies: number[] = [];
  private peakRss = 0;
  private peakHeapUsed = 0;
  private peakExternal = 0;
  private peakQueued = 0;
  private done = false;
  private readonly sampler: NodeJS.Timeout;
  private readonly onRequest = (request: { type: string }): void => {
    // Other requests on the channel are for other parts of the child (the produce bench's source).
    if (request.type === 'reset') this.reset();
    else if (request.type === 'report') this.send({ type: 'report', report: this.report() });
  };

  constructor(private readonly config: ProbeConfig) {
    this.sampleMemory();
    this.sampler = setInterval(() => this.sampleMemory(), MEMORY_SAMPLE_MS);
    process.on('message', this.onRequest);
    this.send({ type: 'ready' });
  }

  /** One record arrived; `sentAt` is its SENT_AT_HEADER (latency runs only). */
  arrived(sentAt?: string): void {
    if (this.config.mode === 'latency') {
      if (sentAt === undefined || sentAt.startsWith('w')) {
        this.warmups += 1;
        return;
      }
      this.latencies.push(nowMs() - Number(sentAt));
    }
    this.count += 1;
    if (this.count === 1) this.first();
    if (this.config.mode === 'drain' && this.count >= this.config.expected && !this.done) {
      this.done = true;
      this.lastAt = nowMs();
      this.lastHrUs = hrUs();
      this.cpuUs = cpuSince(this.firstCpu);
      this.sampleMemory();
      this.send({ type: 'drained', report: this.report() });
    }
  }

  /** Many records arrived at once (the ceiling counts whole batches). */
  arrivedMany(records: number): void {
    if (records <= 0) return;
    const before = this.count;
    this.count += records - 1;
    if (before === 0) this.first();
    this.arrived();
  }

  private first(): void {
    this.firstAt = nowMs();
    this.firstHrUs = hrUs();
    this.firstCpu = process.cpuUsage();
  }

  queued(length: number): void {
    if (length > this.peakQueued) this.peakQueued = length;
  }

  close(): void {
    clearInterval(this.sampler);
    process.off('message', this.onRequest);
  }

  private reset(): void {
    this.count = 0;
    this.latencies = [];
    this.done = false;
  }

  private report(): ProbeReport {
    return {
      count: this.count,
      warmups: this.warmups,
      firstAt: this.firstAt,
      lastAt: this.done ? this.lastAt : nowMs(),
      firstHrUs: this.firstHrUs,
      lastHrUs: this.done ? this.lastHrUs : hrUs(),
      cpuUs: this.done ? this.cpuUs : cpuSince(this.firstCpu),
      latencies: [...this.latencies].sort((a, b) => a - b),
      peakRss: this.peakRss,
      peakHeapUsed: this.peakHeapUsed,
      peakExternal: this.peakExternal,
      rssHighWater: rssHighWater(),
      peakQueued: this.peakQueued,
    };
  }

  private sampleMemory(): void {
    const usage = process.memoryUsage();
    if (usage.rss > this.peakRss) this.peakRss = usage.rss;
    if (usage.heapUsed > this.peakHeapUsed) this.peakHeapUsed = usage.heapUsed;
    if (usage.external > this.peakExternal) this.peakExternal = usage.external;
  }

  private send(message: ProbeMessage): void {
    process.send?.(message);
  }
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

function hrUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function rssHighWater(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
