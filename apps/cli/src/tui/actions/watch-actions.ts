import type { SnapshotDiff, SnapshotEngine, SnapshotRecord } from '@moat/snapshot';
import type { Command, CommandResult } from '../state/watch-state.js';

/** What the UI's keys do to the workspace; injected so the UI is testable without a disk. */
export interface WatchActions {
  snapshot(label: string | null): Promise<SnapshotRecord>;
  /** The selected snapshot against the live workspace. */
  diff(id: string): Promise<SnapshotDiff>;
  restore(id: string): Promise<{ safety: SnapshotRecord; changes: SnapshotDiff }>;
}

/** The real actions, on the run's snapshot engine (opened once, on first use). */
export function engineActions(openEngine: () => Promise<SnapshotEngine>): WatchActions {
  let engine: Promise<SnapshotEngine> | undefined;
  const get = () => {
    engine ??= openEngine();
    engine.catch(() => {
      engine = undefined; // let the next key try again
    });
    return engine;
  };
  return {
    snapshot: async (label) => (await get()).create('manual', label),
    diff: async (id) => (await get()).diff(id),
    restore: async (id) => (await get()).restore(id),
  };
}

/** Runs a command; a failure becomes an error result (its message is for the user). */
export async function runCommand(actions: WatchActions, command: Command): Promise<CommandResult> {
  try {
    switch (command.kind) {
      case 'snapshot':
        return { kind: 'snapshot', record: await actions.snapshot(command.label) };
      case 'diff':
        return { kind: 'diff', id: command.id, diff: await actions.diff(command.id) };
      case 'restore': {
        const { safety, changes } = await actions.restore(command.id);
        return { kind: 'restore', id: command.id, safety, changes };
      }
    }
  } catch (error) {
    return {
      kind: 'error',
      message: `${command.kind} failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
