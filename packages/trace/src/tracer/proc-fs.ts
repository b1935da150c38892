import { readFileSync, readlinkSync } from 'node:fs';

/** Fields of /proc/<pid>/stat this package uses. */
export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** Start time in clock ticks since boot (field 22). */
  startTicks: number;
  /** The wait status of a zombie (field 52), readable until its parent reaps it; else undefined. */
  exitStatus: number | undefined;
}

/** Linux reports /proc times in USER_HZ ticks, 100 per second on every architecture Node runs on. */
export const TICKS_PER_SECOND = 100;

/** Parses /proc/<pid>/stat; the comm field may contain spaces and parentheses, so split at the last ')'. */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open === -1 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text
    .slice(close + 2)
    .trim()
    .split(' ');
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  const ppid = Number(rest[1]);
  const startTicks = Number(rest[19]);
  if (!Number.isInteger(pid) || !Number.isInteger(ppid) || !Number.isFinite(startTicks)) return undefined;
  const state = rest[0] ?? '?';
  const status = Number(rest[49]);
  const exitStatus = state === 'Z' && Number.isInteger(status) ? status : undefined;
  return { pid, comm: text.slice(open + 1, close), state, ppid, startTicks, exitStatus };
}

export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The parent of a live process, from /proc. */
export function procParentOf(pid: number): number | undefined {
  return readProcStat(pid)?.ppid;
}

/** argv from /proc/<pid>/cmdline: undefined if unreadable, [] for a zombie or kernel thread. */
export function readProcCmdline(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`);
    if (raw.length === 0) return [];
    const parts = raw.toString('utf8').split('\0');
    if (parts.at(-1) === '') parts.pop();
    return parts;
  } catch {
    return undefined;
  }
}

export function readProcCwd(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

/** Milliseconds since boot (the clock of /proc start times), from /proc/uptime. */
export function readUptimeMs(): number | undefined {
  try {
    const seconds = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    return Number.isFinite(seconds) ? seconds * 1000 : undefined;
  } catch {
    return undefined;
  }
}
