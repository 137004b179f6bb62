// What the bench reads about a process from Linux's /proc: CPU time, resident memory and its TCP
// connections to a port. Shared with the tests that count connections (test/support/faults.ts).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's times. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds (user + system) the process has used since it started. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name, in parentheses, may hold spaces: the fields are counted after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Resident memory now (VmRSS) and its high-water mark (VmHWM), bytes. */
export function residentMemory(pid: number): { rss: number; highWater: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kib('VmRSS') * 1024, highWater: kib('VmHWM') * 1024 };
}

/**
 * ESTABLISHED TCP connections from a process (this one by default) to the given local port: the
 * socket inodes among /proc/<pid>/fd matched against /proc/net/tcp and tcp6 (Linux only).
 */
export function establishedSocketsTo(port: number, pid: number | 'self' = 'self'): number {
  return establishedLocalPortsTo(port, pid).length;
}

/** The local ports of those connections: the same port later means the same connection lasted. */
export function establishedLocalPortsTo(port: number, pid: number | 'self' = 'self'): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // the fd was closed while we listed them
    }
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const localPorts: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const [, local, remote, state, , , , , , inode] = fields;
      if (state === '01' && remote.endsWith(`:${hexPort}`) && inodes.has(inode)) {
        localPorts.push(parseInt(local.split(':')[1], 16));
      }
    }
  }
  return localPorts;
}
