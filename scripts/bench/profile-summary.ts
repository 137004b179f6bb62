// Prints the functions with the most self time in a V8 .cpuprofile (node --cpu-prof), e.g. one
// written by `BENCH_CPU_PROF_DIR=... npm run bench`. When the bench left a window-<pid>.json
// beside it, only the samples taken while the records arrived count.
//   tsx bench/profile-summary.ts <file.cpuprofile> [top=25]
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]');
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const window = readWindow(file);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  const self = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  let time = profile.startTime;
  for (let index = 0; index < profile.samples.length; index += 1) {
    time += profile.timeDeltas[index] ?? 0;
    if (window && (time < window.firstHrUs || time > window.lastHrUs)) continue;
    const node = byId.get(profile.samples[index]);
    if (!node) continue;
    const interval = profile.timeDeltas[index + 1] ?? 0;
    total += interval;
    const key = label(node);
    self.set(key, (self.get(key) ?? 0) + interval);
    const area = areaOf(node);
    byFile.set(area, (byFile.get(area) ?? 0) + interval);
  }
  if (total === 0) throw new Error('no samples in the window');
  console.log(
    `${(total / 1000).toFixed(0)} ms of samples` +
      (window
        ? ` while the records arrived (${((window.lastHrUs - window.firstHrUs) / 1000).toFixed(0)} ms)`
        : ''),
  );
  console.log('\nself time by function:');
  for (const [key, value] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(
      `${((value / total) * 100).toFixed(1).padStart(5)}%  ${(value / 1000).toFixed(0).padStart(6)} ms  ${key}`,
    );
  console.log('\nself time by area:');
  for (const [key, value] of [...byFile].sort((a, b) => b[1] - a[1]))
    console.log(
      `${((value / total) * 100).toFixed(1).padStart(5)}%  ${(value / 1000).toFixed(0).padStart(6)} ms  ${key}`,
    );
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${shorten(url)}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
}

/** node_modules/<package>, this package's dist, node: internals, or V8/GC pseudo-frames. */
function areaOf(node: ProfileNode): string {
  const url = node.callFrame.url;
  if (!url) return node.callFrame.functionName || '(native)';
  if (url.startsWith('node:')) return 'node: internals';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  if (url.includes('/dist/')) return 'this package (dist)';
  return shorten(url);
}

function shorten(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const dist = url.lastIndexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

function readWindow(file: string): { firstHrUs: number; lastHrUs: number } | undefined {
  const pid = /\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(path.basename(file))?.[1];
  const sidecar = pid ? path.join(path.dirname(file), `window-${pid}.json`) : '';
  if (!sidecar || !existsSync(sidecar)) return undefined;
  return JSON.parse(readFileSync(sidecar, 'utf8')) as { firstHrUs: number; lastHrUs: number };
}

main();
