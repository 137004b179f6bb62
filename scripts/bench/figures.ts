// Small helpers for the figures the bench runners print.

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** p50, p99 and max of sorted values. */
export function percentiles(sorted: number[]): [number, number, number] {
  if (sorted.length === 0) return [NaN, NaN, NaN];
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return [at(0.5), at(0.99), sorted[sorted.length - 1]];
}

export function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function mb(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}

export function ms(value: number): string {
  return Number.isNaN(value) ? 'n/a' : value < 10 ? value.toFixed(1) : value.toFixed(0);
}

export function log(line: string): void {
  console.log(`[bench] ${line}`);
}
