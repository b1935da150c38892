import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { errnoCode } from '../errors.js';

/** What a lock file holds: who took the lock, so others can tell whether it is still held. */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** Random per acquisition: tells this holder's file apart from a later one by the same process. */
  token: string;
  acquired_at: string;
  /** Linux: start time of `pid` (field 22 of /proc/<pid>/stat), so a reused pid is not taken for the owner. */
  start_time: number | null;
  /** The holder's command line, shortened, for messages. */
  command: string;
}

const COMMAND_MAX = 120;

interface ProcStat {
  state: string;
  startTime: number;
}

/** State and start time of a process from /proc; undefined when the process does not exist. */
async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ESRCH') return undefined;
    throw error;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces and ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field 22 (start time) is fields[19].
  return { state: fields[0] ?? '', startTime: Number(fields[19]) };
}

let ownStartTime: Promise<number | null> | undefined;

function startTimeOfThisProcess(): Promise<number | null> {
  ownStartTime ??=
    process.platform === 'linux'
      ? readProcStat(process.pid).then((stat) => stat?.startTime ?? null)
      : Promise.resolve(null);
  return ownStartTime;
}

function shortCommand(): string {
  const command = [basename(process.execPath), ...process.argv.slice(1)].join(' ');
  return command.length > COMMAND_MAX ? `${command.slice(0, COMMAND_MAX - 1)}…` : command;
}

export async function newLockOwner(): Promise<LockOwner> {
  return {
    pid: process.pid,
    hostname: hostname(),
    token: randomBytes(8).toString('hex'),
    acquired_at: new Date().toISOString(),
    start_time: await startTimeOfThisProcess(),
    command: shortCommand(),
  };
}

/** The owner recorded in a lock file's text, or undefined when it is not a complete owner record. */
export function parseLockOwner(text: string): LockOwner | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const owner = value as Record<string, unknown>;
  const valid =
    Number.isInteger(owner.pid) &&
    (owner.pid as number) > 0 &&
    typeof owner.hostname === 'string' &&
    typeof owner.token === 'string' &&
    typeof owner.acquired_at === 'string' &&
    (owner.start_time === null || Number.isInteger(owner.start_time)) &&
    typeof owner.command === 'string';
  return valid ? (owner as unknown as LockOwner) : undefined;
}

/**
 * Whether the owner certainly no longer runs: it is on this host and its pid is gone, a zombie, or
 * a different process (another start time). Owners on other hosts cannot be checked: never gone.
 */
export async function isOwnerGone(owner: LockOwner): Promise<boolean> {
  if (owner.hostname !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM means the process exists but belongs to another user.
    if (errnoCode(error) === 'ESRCH') return true;
  }
  if (process.platform !== 'linux') return false;
  const stat = await readProcStat(owner.pid);
  if (stat === undefined || stat.state === 'Z' || stat.state === 'X') return true;
  return owner.start_time !== null && stat.startTime !== owner.start_time;
}

/** One line describing the holder, for messages. */
export function describeOwner(owner: LockOwner | undefined): string {
  return owner
    ? `pid ${owner.pid} on ${owner.hostname} (${owner.command}) since ${owner.acquired_at}`
    : 'an unknown owner (the lock file is unreadable)';
}
