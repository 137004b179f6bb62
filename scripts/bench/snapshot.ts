// BENCH_COMMIT=<rev>: measure a committed version of the package rather than the working tree,
// which may hold half-done edits. The commit is exported with `git archive` into a temp dir,
// given this checkout's node_modules and built the way `npm run build` builds it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './children';

export interface Snapshot {
  dir: string;
  commit: string;
  remove(): void;
}

export function snapshotCommit(rev: string): Snapshot {
  const commit = execFileSync('git', ['rev-parse', '--short', `${rev}^{commit}`], {
    cwd: ROOT,
    encoding: 'utf8',
  }).trim();
  const dir = mkdtempSync(path.join(tmpdir(), `kafka-trigger-bench-${commit}-`));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const archive = execFileSync('git', ['archive', '--format=tar', commit], {
      cwd: ROOT,
      maxBuffer: 256 * 2 ** 20,
    });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    execFileSync(process.execPath, [path.join(dir, 'scripts', 'build.mjs')], { cwd: dir, stdio: 'inherit' });
  } catch (error) {
    remove();
    throw error;
  }
  return { dir, commit, remove };
}
