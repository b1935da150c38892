import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecLogWriter } from '@moat/trace';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WatchAction } from '../state/watch-state.js';
import { ended, makeRun, makeSnapshot, started } from '../test-support/fixtures.js';
import { createBatcher, mergeExec } from './batcher.js';
import {
  execLogSource,
  parseTracerStatus,
  runRecordSource,
  snapshotSource,
  tracerStatusSource,
} from './sources.js';

describe('createBatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('dispatches at most once per interval, merging exec updates', () => {
    const dispatch = vi.fn();
    const batcher = createBatcher(dispatch, 100);
    for (let seq = 1; seq <= 50; seq++) batcher.push({ type: 'exec', updates: [started(seq)] });
    batcher.push({ type: 'tick', now: 1 });
    expect(dispatch).not.toHaveBeenCalled();
    vi.advanceTimersByTime(0);
    expect(dispatch).toHaveBeenCalledTimes(1);
    const [first] = dispatch.mock.calls[0] ?? [];
    expect(first.type).toBe('batch');
    expect(first.actions[0].updates).toHaveLength(50);
    batcher.push({ type: 'tick', now: 2 });
    vi.advanceTimersByTime(99);
    expect(dispatch).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(dispatch).toHaveBeenLastCalledWith({ type: 'tick', now: 2 });
  });

  it('flushes on close and ignores pushes after it', () => {
    const dispatch = vi.fn();
    const batcher = createBatcher(dispatch, 100);
    batcher.push({ type: 'tick', now: 1 });
    batcher.close();
    batcher.push({ type: 'tick', now: 2 });
    vi.runAllTimers();
    expect(dispatch.mock.calls).toEqual([[{ type: 'tick', now: 1 }]]);
  });

  it('merges only consecutive exec actions, keeping order', () => {
    const actions: WatchAction[] = [
      { type: 'exec', updates: [started(1)] },
      { type: 'exec', updates: [ended(1)] },
      { type: 'tick', now: 1 },
      { type: 'exec', updates: [started(2)] },
    ];
    expect(mergeExec(actions).map((a) => (a.type === 'exec' ? a.updates.length : a.type))).toEqual([
      2,
      'tick',
      1,
    ]);
  });
});

describe('parseTracerStatus', () => {
  it('reads the supervisor file and tolerates missing fields', () => {
    expect(
      parseTracerStatus('{"backend":"native","degraded":false,"reason":null,"lost":3,"dropped":1}'),
    ).toEqual({
      backend: 'native',
      degraded: false,
      reason: null,
      lost: 3,
      dropped: 1,
    });
    expect(parseTracerStatus('{"degraded":true,"reason":"no addon"}')).toEqual({
      backend: null,
      degraded: true,
      reason: 'no addon',
      lost: 0,
      dropped: 0,
    });
    expect(() => parseTracerStatus('{"backend":')).toThrow();
  });
});

describe('sources on real files', () => {
  let dir: string;
  let controller: AbortController;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'moat-tui-sources-'));
    controller = new AbortController();
  });
  afterEach(() => {
    controller.abort();
    rmSync(dir, { recursive: true, force: true });
  });

  async function collect(source: (push: (a: WatchAction) => void, signal: AbortSignal) => void) {
    const actions: WatchAction[] = [];
    source((action) => actions.push(action), controller.signal);
    return actions;
  }

  async function until(check: () => void): Promise<void> {
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        return check();
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  it('follows exec.jsonl: what is there, then what is appended', async () => {
    const path = join(dir, 'exec.jsonl');
    const writer = await ExecLogWriter.open(path);
    await writer.write([started(1), ended(1)]);
    const actions = await collect(execLogSource(path));
    await until(() => expect(actions).toHaveLength(2));
    await writer.write([started(2)]);
    await writer.close();
    await until(() =>
      expect(
        actions.map((a) => (a.type === 'exec' ? `${a.updates[0]?.kind}${a.updates[0]?.event.seq}` : a.type)),
      ).toEqual(['start1', 'end1', 'start2']),
    );
  });

  it('reads tracer.json when it appears, changes and disappears', async () => {
    const path = join(dir, 'tracer.json');
    const actions = await collect(tracerStatusSource(path, 20));
    await until(() => expect(actions).toEqual([{ type: 'tracer', tracer: null }]));
    writeFileSync(path, '{"backend":"proc","degraded":true,"reason":"r","lost":0,"dropped":0}');
    await until(() =>
      expect(actions.at(-1)).toMatchObject({ type: 'tracer', tracer: { backend: 'proc', degraded: true } }),
    );
    rmSync(path);
    await until(() => expect(actions.at(-1)).toEqual({ type: 'tracer', tracer: null }));
  });

  it('polls the snapshot list, reports changes only, and counts changed files once per snapshot', async () => {
    let list = [makeSnapshot(1)];
    const changedFiles = vi.fn(async () => 5);
    const actions = await collect(snapshotSource({ list: async () => list, changedFiles, intervalMs: 20 }));
    await until(() => expect(actions).toEqual([{ type: 'snapshots', snapshots: [makeSnapshot(1)] }]));
    list = [makeSnapshot(2), makeSnapshot(1)];
    await until(() =>
      expect(actions.slice(1)).toEqual([
        { type: 'snapshots', snapshots: list },
        { type: 'snapshot-changes', id: makeSnapshot(2).id, changed: 5 },
      ]),
    );
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(changedFiles).toHaveBeenCalledTimes(1);
    expect(changedFiles).toHaveBeenCalledWith(makeSnapshot(1).id, makeSnapshot(2).id);
  });

  it('reports a failing poll as a notice and keeps polling', async () => {
    let calls = 0;
    const run = makeRun();
    const actions = await collect(
      runRecordSource(
        async () => {
          calls += 1;
          if (calls === 1) throw new Error('record is being replaced');
          return run;
        },
        20,
        () => false,
      ),
    );
    await until(() =>
      expect(actions).toEqual([
        { type: 'notice', source: 'run record', message: 'record is being replaced' },
        { type: 'run', run, lost: false },
        { type: 'notice', source: 'run record', message: null },
      ]),
    );
  });

  it('calls a running record whose agent process is gone lost', async () => {
    const gone = spawnSync('true').pid as number; // exited and reaped: its pid is free
    const actions = await collect(runRecordSource(async () => makeRun({ pid: gone }), 20));
    await until(() => expect(actions).toEqual([{ type: 'run', run: makeRun({ pid: gone }), lost: true }]));
    const alive = await collect(runRecordSource(async () => makeRun({ pid: process.pid }), 20));
    await until(() =>
      expect(alive).toEqual([{ type: 'run', run: makeRun({ pid: process.pid }), lost: false }]),
    );
  });
});
