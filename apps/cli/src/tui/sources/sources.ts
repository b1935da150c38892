import { readFile } from 'node:fs/promises';
import type { SnapshotRecord } from '@moat/snapshot';
import type { RunRecord } from '@moat/storage';
import { followExecLog } from '@moat/trace';
import { isRunLost } from '../../cli/run-liveness.js';
import type { TracerStatusFile, WatchAction } from '../state/watch-state.js';

/** Feeds the reducer until `signal` aborts. Failures are pushed as notices, never thrown. */
export type WatchSource = (push: (action: WatchAction) => void, signal: AbortSignal) => void;

export const POLL_INTERVAL_MS = 500;

/** The run's exec.jsonl, from the start, then live. */
export function execLogSource(path: string): WatchSource {
  return (push, signal) => {
    void (async () => {
      try {
        for await (const update of followExecLog(path, { signal })) push({ type: 'exec', updates: [update] });
      } catch (error) {
        if (!signal.aborted) push({ type: 'notice', source: 'exec log', message: messageOf(error) });
      }
    })();
  };
}

/**
 * The run's snapshot list, polled. Each snapshot's number of changed files (against the one before
 * it) is computed once, one snapshot per poll, newest first.
 */
export function snapshotSource(options: {
  list: () => Promise<SnapshotRecord[]>;
  changedFiles?: (from: string, to: string) => Promise<number>;
  intervalMs?: number;
}): WatchSource {
  return (push, signal) => {
    let last = '';
    const known = new Set<string>();
    poll('snapshots', push, signal, options.intervalMs ?? POLL_INTERVAL_MS, async () => {
      const snapshots = await options.list();
      const key = snapshots.map((s) => s.id).join(',');
      if (key !== last) push({ type: 'snapshots', snapshots });
      last = key;
      if (!options.changedFiles) return;
      const index = snapshots.findIndex((s, i) => i + 1 < snapshots.length && !known.has(s.id));
      const current = snapshots[index];
      const previous = snapshots[index + 1];
      if (index < 0 || !current || !previous) return;
      known.add(current.id);
      push({
        type: 'snapshot-changes',
        id: current.id,
        changed: await options.changedFiles(previous.id, current.id),
      });
    });
  };
}

/** The run record, polled: state, exit code, end time, and whether a running one is lost. */
export function runRecordSource(
  get: () => Promise<RunRecord>,
  intervalMs = POLL_INTERVAL_MS,
  isLost: (run: RunRecord) => boolean = isRunLost,
): WatchSource {
  return (push, signal) => {
    let last = '';
    poll('run record', push, signal, intervalMs, async () => {
      const run = await get();
      const lost = isLost(run);
      const key = `${lost} ${JSON.stringify(run)}`;
      if (key !== last) push({ type: 'run', run, lost });
      last = key;
    });
  };
}

/** `<run dir>/tracer.json`, polled; absent means tracing is off or has not started. */
export function tracerStatusSource(path: string, intervalMs = POLL_INTERVAL_MS): WatchSource {
  return (push, signal) => {
    let last: string | undefined;
    poll('tracer status', push, signal, intervalMs, async () => {
      const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
      if (text === last) return;
      last = text ?? undefined;
      push({ type: 'tracer', tracer: text === null ? null : parseTracerStatus(text) });
    });
  };
}

/** A clock tick every second, for the header's elapsed time. */
export function clockSource(intervalMs = 1000, now: () => number = Date.now): WatchSource {
  return (push, signal) => {
    const timer = setInterval(() => push({ type: 'tick', now: now() }), intervalMs);
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  };
}

export function parseTracerStatus(text: string): TracerStatusFile {
  const value = JSON.parse(text) as Partial<TracerStatusFile>;
  if (typeof value !== 'object' || value === null) throw new Error('tracer.json is not a JSON object');
  const count = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? n : 0);
  return {
    backend: value.backend === 'native' || value.backend === 'proc' ? value.backend : null,
    degraded: value.degraded === true,
    reason: typeof value.reason === 'string' ? value.reason : null,
    lost: count(value.lost),
    dropped: count(value.dropped),
  };
}

/**
 * Runs `step` now and every `intervalMs` (after the previous one finished) until `signal` aborts.
 * A failing step is reported and polling goes on (a file caught mid-rewrite reads fine next time).
 */
function poll(
  source: string,
  push: (action: WatchAction) => void,
  signal: AbortSignal,
  intervalMs: number,
  step: () => Promise<void>,
) {
  let problem: string | null = null;
  const report = (message: string | null) => {
    if (message !== problem && !signal.aborted) push({ type: 'notice', source, message });
    problem = message;
  };
  void (async () => {
    while (!signal.aborted) {
      try {
        await step();
        report(null);
      } catch (error) {
        report(messageOf(error));
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, intervalMs);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  })();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
