import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '@moat/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprint, moat, waitFor } from '../../test-support/moat-cli.js';
import { readWhenWritten, requireTmux, TmuxTerminal } from '../../test-support/tmux.js';

// `moat run` in a real terminal (tmux), as a person runs it.
const bin = new URL('../../../dist/bin.js', import.meta.url).pathname;
const haveTmux = requireTmux('the terminal tests of moat run');

describe.runIf(haveTmux)('moat run in a real terminal', () => {
  let root: string;
  let terminal: TmuxTerminal;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'moat-run-tty-'));
    mkdirSync(join(root, 'ws'));
    terminal = new TmuxTerminal({ MOAT_HOME: join(root, 'home') });
  });
  afterEach(() => {
    terminal.kill();
    rmSync(root, { recursive: true, force: true, maxRetries: 20 }); // moat may still be exiting
  });

  /** `moat ARGS` in the workspace; its exit status goes to a file when it ends, and the screen stays. */
  const startMoat = (args: string, { columns = 120, rows = 30 } = {}) =>
    terminal.start(
      `cd ${root}/ws; PS1='shell$ ' ${process.execPath} ${bin} ${args}; echo "moat exited $?" > ${root}/exit-code; exec sleep 600`,
      { columns, rows },
    );

  it('gives the agent the terminal: input, window size, Ctrl-C, exit code', async () => {
    startMoat('run --no-snapshots -- bash --norc --noprofile');
    await terminal.until(/^shell\$\s*$/m, 'the prompt'); // capture-pane drops trailing spaces
    terminal.keys('echo "sum=$((40+2))"', 'Enter');
    await terminal.until(/^sum=42$/m, 'the sum');

    // The shell sees the terminal's size, and follows it when the window changes.
    terminal.keys('echo "cols=$(tput cols)"', 'Enter');
    await terminal.until(/^cols=120$/m, '120 columns');
    terminal.resize(100, 30);
    terminal.keys('clear; echo "cols=$(tput cols)"', 'Enter');
    await terminal.until(/^cols=100$/m, '100 columns');

    // Ctrl-C interrupts the shell's foreground command; neither the shell nor moat dies.
    terminal.keys('sleep 30; echo after-sleep', 'Enter');
    await new Promise((resolve) => setTimeout(resolve, 500));
    terminal.keys('C-c');
    terminal.keys('echo "still=alive"', 'Enter');
    const text = await terminal.until(/^still=alive$/m, 'the shell after Ctrl-C');
    expect(text).not.toMatch(/^after-sleep$/m);

    terminal.keys('exit 7', 'Enter');
    expect(await readWhenWritten(join(root, 'exit-code'))).toBe('moat exited 7\n');
  });

  it('--tui: shows the live UI while the agent runs, its output in agent.log, then exits with its code', async () => {
    const agent = join(root, 'agent.sh');
    // Waits for the go file, so the UI is read while the agent runs.
    writeFileSync(
      agent,
      `echo "agent says hi"; git --version >/dev/null; while [ ! -e ${root}/go ]; do sleep 0.1; done; echo bye >&2; exit 3\n`,
    );
    startMoat(`run --tui --no-snapshots --name tui-agent -- sh ${agent}`, { rows: 40 });
    const live = await terminal.until(
      (s) =>
        s.includes('moat watch tui-agent · running') &&
        /#\d+ +exit 0 .*git --version/.test(s) &&
        /#1 +running .*sh .*agent\.sh/.test(s),
      'the UI with the agent running and its git command done',
    );
    expect(live).not.toContain('agent says hi'); // the agent's output goes to its log, not over the UI

    writeFileSync(join(root, 'go'), '');
    const ended = await terminal.until(/tui-agent · exited \(code 3\)/, 'the run shown as ended');
    expect(ended).toContain('q quit');
    terminal.keys('q');
    expect(await readWhenWritten(join(root, 'exit-code'))).toBe('moat exited 3\n');
    const summary = await terminal.until(/moat: run .*tui-agent/, 'the summary line');
    expect(summary).toMatch(/exited 3|exit code 3|code 3/);

    const store = new RunStore(join(root, 'home'));
    const run = await store.resolve('tui-agent');
    expect(readFileSync(join(store.paths.runDir(run.id), 'agent.log'), 'utf8')).toBe('agent says hi\nbye\n');
  });

  // The "done when": `moat run -- bash` in a repository of one's own, work in it, and from
  // another terminal watch, snapshot, diff, restore and undo while the shell is still open.
  it('a live shell under moat run, driven from a second terminal', async () => {
    const ws = join(root, 'ws');
    const git = (...args: string[]) =>
      spawnSync('git', ['-C', ws, '-c', 'user.name=me', '-c', 'user.email=me@example.com', ...args]);
    writeFileSync(join(ws, 'README.md'), '# mine\n');
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'start');

    startMoat('run --name mine -- bash --norc --noprofile');
    await terminal.until(/^shell\$\s*$/m, 'the prompt');
    const home = join(root, 'home');
    const snapshots = () =>
      JSON.parse(moat(home, 'snapshots', 'mine', '--json').stdout) as {
        id: string;
        type: string;
        label: string;
      }[];

    // Work in the shell: a commit is snapshotted by itself (the tracer sees `git commit`).
    terminal.keys(
      '-l',
      "echo one > notes.txt && git add -A && git -c user.name=me -c user.email=me@example.com commit -qm 'add notes'",
    );
    terminal.keys('Enter');
    await waitFor(() => snapshots().some((s) => s.type === 'git'), 20_000);
    expect(snapshots().map((s) => s.type)).toEqual(['git', 'pre-run']);

    // A second terminal: the live UI shows the run and its snapshots.
    const watcher = new TmuxTerminal({ MOAT_HOME: home });
    try {
      watcher.start(`${process.execPath} ${bin} watch mine`, { columns: 120, rows: 30 });
      await watcher.until(
        (s) => s.includes('moat watch mine · running') && s.includes('add notes') && s.includes('commit -qm'),
        'the live run with the commit and its snapshot',
      );

      // Snapshot, make a mess in the shell, diff, restore, undo, all from outside the shell.
      const taken = moat(home, 'snapshot', 'mine', '--label', 'before mess');
      expect(taken.code).toBe(0);
      const good = taken.stdout.split(' ')[0] as string;
      const clean = fingerprint(ws);
      terminal.keys('-l', 'rm README.md; echo broken > notes.txt; echo new > extra.txt; echo done-mess');
      terminal.keys('Enter');
      await terminal.until(/^done-mess$/m, 'the mess made');
      const messy = fingerprint(ws);
      await watcher.until((s) => s.includes('before mess'), 'the manual snapshot in the UI');

      expect(moat(home, 'snapshot', 'diff', 'mine', good).stdout).toBe(
        'D README.md\nA extra.txt (4 B)\nM notes.txt (4 B → 7 B)\n\n1 added, 1 modified, 1 deleted\n',
      );
      const restored = moat(home, 'rollback', 'mine', good, '--yes');
      expect(restored.code).toBe(0);
      expect(fingerprint(ws)).toEqual(clean);
      const undo = /To undo: moat snapshot restore mine (snap_[0-9a-f]{12})/.exec(restored.stdout)?.[1];
      expect(undo).toBeDefined();
      expect(moat(home, 'snapshot', 'restore', 'mine', undo as string, '--yes').code).toBe(0);
      expect(fingerprint(ws)).toEqual(messy);
      expect(existsSync(join(ws, 'extra.txt'))).toBe(true);

      // The shell never noticed: it is still there, and ends the run with its exit code.
      terminal.keys('-l', 'cat notes.txt; exit 0');
      terminal.keys('Enter');
      expect(await readWhenWritten(join(root, 'exit-code'))).toBe('moat exited 0\n');
      await watcher.until(/mine · exited \(code 0\)/, 'the UI showing the run ended');
    } finally {
      watcher.kill();
    }
    expect(snapshots().map((s) => s.type)).toEqual(['safety', 'safety', 'manual', 'git', 'pre-run']);
  });
});
