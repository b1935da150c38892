import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '@moat/storage';
import { type ExecEvent, ExecLogWriter, type ExecUpdate } from '@moat/trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWhenWritten, requireTmux, TmuxTerminal } from '../../test-support/tmux.js';

// `moat watch` in a real terminal: the built CLI in a detached tmux session, on a run that is live.
const entry = new URL('../../../dist/bin.js', import.meta.url).pathname;
const hasTmux = requireTmux('the moat watch end-to-end test');

let root: string;
let home: string;
let terminal: TmuxTerminal;
let store: RunStore;
let runId: string;
let log: ExecLogWriter;

function event(seq: number, overrides: Partial<ExecEvent>): ExecEvent {
  return {
    seq,
    timestamp: new Date().toISOString(),
    pid: 5000 + seq,
    ppid: 1,
    command: 'true',
    args: [],
    argv_status: 'complete',
    working_dir: root,
    exit_code: null,
    signal: null,
    duration_ms: null,
    ...overrides,
  };
}
const start = (e: ExecEvent): ExecUpdate => ({ kind: 'start', event: e });
const end = (e: ExecEvent, exit_code: number | null, signal: number | null = null): ExecUpdate => ({
  kind: 'end',
  event: { ...e, exit_code, signal, duration_ms: 1234 },
});

describe.skipIf(!hasTmux)('moat watch in a terminal', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'moat-watch-e2e-'));
    home = join(root, 'home');
    terminal = new TmuxTerminal({ MOAT_HOME: home });
    const workspace = join(root, 'workspace');
    mkdirSync(workspace);
    writeFileSync(join(workspace, 'README.md'), 'hello\n');
    store = new RunStore(home);
    const run = await store.create({ workspace, command: ['agent'], name: 'e2e-agent' });
    runId = run.id;
    await store.update(run.id, { state: 'running', pid: process.pid });
    writeFileSync(
      join(store.paths.runDir(run.id), 'tracer.json'),
      JSON.stringify({ backend: 'proc', degraded: true, reason: 'test tracer', lost: 0, dropped: 0 }),
    );
    log = await ExecLogWriter.open(store.paths.execLogPath(run.id));
    const status = event(1, { command: 'git', args: ['status'] });
    const failing = event(2, { command: 'npm', args: ['test'] });
    await log.write([
      start(status),
      end(status, 0),
      start(failing),
      end(failing, 1),
      start(event(3, { command: 'sleep', args: ['30'] })),
    ]);
  });

  afterAll(async () => {
    terminal.kill();
    await log?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('shows the run live and quits on q', async () => {
    terminal.start(
      `'${process.execPath}' '${entry}' watch ${runId.slice(4, 12)}; echo "exit $?" > '${join(root, 'exit-status')}'`,
      { columns: 120, rows: 40 },
    );

    const first = await terminal.until(
      (s) => s.includes('sleep 30') && s.includes('tracing degraded') && s.includes('npm test'),
      'the header, the tracer status, the running event and the ended ones above',
    );
    expect(first).toContain('moat watch e2e-agent · running');
    expect(first).toContain(`workspace ${join(root, 'workspace')}`);
    expect(first).toContain('degraded (proc): test tracer');
    expect(first).toMatch(/#1 +exit 0 +1\.2s git status/);
    expect(first).toMatch(/#2 +exit 1 +1\.2s npm test/);
    expect(first).toMatch(/#3 +running .*sleep 30/);

    // Appended while moat watch runs: the running one ends, a new one starts.
    const build = event(4, { command: 'pnpm', args: ['build'] });
    await log.write([end(event(3, { command: 'sleep', args: ['30'] }), null, 15), start(build)]);
    // The frame and the line printed above it are two writes: a screen read between them has only one.
    await terminal.until(
      (s) => /#4 +running .*pnpm build/.test(s) && /#3 +sig 15 .*sleep 30/.test(s),
      'the appended event, and the ended one in the scrollback',
    );

    // The keys, on the real snapshot engine: a snapshot, a diff, a restore with its undo.
    const keys = (...k: string[]) => terminal.keys(...k);
    keys('s');
    await terminal.until((s) => s.includes('snapshot label:'), 'the label prompt');
    keys('-l', 'before edit');
    keys('Enter');
    await terminal.until(
      (s) => /✓ snapshot snap_[0-9a-f]{12} taken \(1 file, "before edit"\)/.test(s),
      'the new snapshot',
    );
    writeFileSync(join(root, 'workspace', 'added.txt'), 'new\n');
    keys('d');
    const diff = await terminal.until((s) => s.includes('→ workspace'), 'the diff panel');
    expect(diff).toContain('+1 added, ~0 modified, -0 deleted');
    expect(diff).toContain('+ added.txt');
    keys('r');
    await terminal.until((s) => s.includes('[y/N]'), 'the restore question');
    keys('y');
    const restored = await terminal.until((s) => s.includes('workspace restored'), 'the restore');
    expect(restored).toMatch(/undo: restore the safety snapshot snap_[0-9a-f]{12}/);
    expect(existsSync(join(root, 'workspace', 'added.txt'))).toBe(false);

    keys('q');
    expect(await readWhenWritten(join(root, 'exit-status'))).toBe('exit 0\n');
  });
});

describe('moat watch without a terminal', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'moat-watch-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says so in one line when there are no runs', () => {
    const result = spawnSync(process.execPath, [entry, 'watch'], {
      encoding: 'utf8',
      env: { ...process.env, MOAT_HOME: join(dir, 'empty-home') },
    });
    expect(result.stderr).toBe("moat: No runs yet. Start one with 'moat run -- <agent>'.\n");
    expect(result.status).toBe(1);
  });

  it('refuses without a terminal, saying what to use instead', async () => {
    const other = new RunStore(join(dir, 'home'));
    await other.create({ workspace: dir, command: ['agent'], name: 'e2e-agent' });
    const result = spawnSync(process.execPath, [entry, 'watch', 'e2e-agent'], {
      encoding: 'utf8',
      env: { ...process.env, MOAT_HOME: join(dir, 'home') },
    });
    expect(result.stderr).toBe(
      "moat: moat watch needs a terminal; to stream the run's processes as text use 'moat trace e2e-agent --follow'\n",
    );
    expect(result.status).toBe(1);
  });
});
