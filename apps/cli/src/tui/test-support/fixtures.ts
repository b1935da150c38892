import type { SnapshotDiff, SnapshotRecord } from '@moat/snapshot';
import type { RunRecord } from '@moat/storage';
import type { ExecEvent, ExecUpdate } from '@moat/trace';

export const T0 = Date.parse('2026-03-01T10:00:00.000Z');

export function makeRun(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 'run_0123456789ab',
    name: 'fix-ci',
    workspace: '/home/me/src/app',
    command: ['claude'],
    pid: 4242,
    state: 'running',
    exit_code: null,
    created_at: new Date(T0).toISOString(),
    ended_at: null,
    ...overrides,
  };
}

export function makeEvent(seq: number, overrides: Partial<ExecEvent> = {}): ExecEvent {
  return {
    seq,
    timestamp: new Date(T0 + seq * 1000).toISOString(),
    pid: 1000 + seq,
    ppid: 1,
    command: 'git',
    args: ['status'],
    argv_status: 'complete',
    working_dir: '/home/me/src/app',
    exit_code: null,
    signal: null,
    duration_ms: null,
    ...overrides,
  };
}

export function started(seq: number, overrides: Partial<ExecEvent> = {}): ExecUpdate {
  return { kind: 'start', event: makeEvent(seq, overrides) };
}

export function ended(seq: number, overrides: Partial<ExecEvent> = {}): ExecUpdate {
  return { kind: 'end', event: makeEvent(seq, { exit_code: 0, duration_ms: 120, ...overrides }) };
}

export function makeSnapshot(n: number, overrides: Partial<SnapshotRecord> = {}): SnapshotRecord {
  return {
    id: `snap_${String(n).padStart(12, '0')}`,
    type: 'manual',
    label: null,
    created_at: new Date(T0 + n * 60_000).toISOString(),
    backend: 'store',
    files: 10 + n,
    dirs: 2,
    symlinks: 0,
    bytes: 1000,
    bytes_added: 10,
    ...overrides,
  };
}

export function makeDiff(added: string[], modified: string[] = [], deleted: string[] = []): SnapshotDiff {
  const entry = (path: string) => ({ path, type: 'file' as const, size: 1 });
  return { added: added.map(entry), modified: modified.map(entry), deleted: deleted.map(entry) };
}

const ANSI_STYLE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** A frame without its colour and style codes, for assertions on text. */
export function plain(frame: string | undefined): string {
  return (frame ?? '').replace(ANSI_STYLE, '');
}
