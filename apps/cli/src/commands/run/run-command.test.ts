import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from '@moat/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { moatInBackground, waitFor } from '../../test-support/moat-cli.js';

// `moat run` as a user runs it: the built CLI in a real process, a real workspace, real git,
// the real tracer (native as root on Linux, else the /proc fallback).
const bin = new URL('../../../dist/bin.js', import.meta.url).pathname;

let root: string;
let home: string;
let workspace: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'moat-run-test-'));
  home = join(root, 'home');
  workspace = join(root, 'ws');
  mkdirSync(workspace);
  writeFileSync(join(workspace, 'README.md'), 'hello\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const env = () => ({ ...process.env, MOAT_HOME: home, NO_COLOR: '1' });

function moat(args: string[], options: { cwd?: string } = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? workspace,
    encoding: 'utf8',
    env: env(),
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The children of a process, with their command names (Linux /proc). */
function childProcesses(pid: number): { pid: number; command: string }[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(' ')
    .filter(Boolean);
  return children.map((child) => {
    try {
      return { pid: Number(child), command: readFileSync(`/proc/${child}/comm`, 'utf8').trim() };
    } catch {
      return { pid: Number(child), command: '' }; // it has exited since
    }
  });
}

/** `moat run ARGS` on the test's workspace, in the background. */
function moatRun(...args: string[]) {
  return moatInBackground(home, 'run', '--workspace', workspace, ...args);
}

/** The agent `command` once it runs as a child of `moat`. */
async function agentOf(moat: ReturnType<typeof moatRun>, command: string) {
  const agent = () => childProcesses(moat.child.pid as number).find((child) => child.command === command);
  await waitFor(
    () => agent() !== undefined,
    30_000,
    () => `the agent never started; moat printed: ${moat.errors()}`,
  );
  return agent() as { pid: number; command: string };
}

function onlyRun() {
  const runsDir = join(home, 'runs');
  const [id, ...others] = spawnSync('ls', [runsDir], { encoding: 'utf8' }).stdout.trim().split('\n');
  expect(others).toEqual([]);
  const dir = join(runsDir, id as string);
  return {
    dir,
    record: JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')),
    snapshots: existsSync(join(dir, 'snapshots', 'snapshots.json'))
      ? (JSON.parse(readFileSync(join(dir, 'snapshots', 'snapshots.json'), 'utf8')) as { type: string }[])
      : [],
    execLog: existsSync(join(dir, 'exec.jsonl'))
      ? readFileSync(join(dir, 'exec.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line))
      : [],
  };
}

describe('moat run', () => {
  it('snapshots first, traces the agent from its first process, and exits with its code', () => {
    const { code, stdout, stderr } = moat([
      'run',
      '--name',
      'first',
      '--',
      'sh',
      '-c',
      'cat README.md; /bin/echo changed > README.md; exit 3',
    ]);
    expect(code).toBe(3);
    expect(stdout).toBe('hello\n'); // the agent's own output, untouched
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^moat: run run_[0-9a-f]{12} \(first\) · pre-run snapshot snap_[0-9a-f]{12} · tracing: (native|proc)$/,
    );
    expect(lines.at(-1)).toMatch(
      /^moat: run first exited 3 · 1 snapshot · \d+ commands? .*· see 'moat trace first'$/,
    );
    expect(lines).toHaveLength(2);

    const run = onlyRun();
    expect(run.record).toMatchObject({ name: 'first', state: 'exited', exit_code: 3, workspace });
    expect(run.snapshots.map((s) => s.type)).toEqual(['pre-run']);
    const starts = run.execLog.filter((r) => r.record === 'start');
    expect(starts[0]).toMatchObject({
      command: 'sh',
      args: ['-c', expect.stringContaining('cat README.md')],
    });
    if (starts[0].argv_status === 'complete' && lines[0]?.endsWith('native')) {
      // The native tracer sees even millisecond processes.
      expect(starts.map((r) => r.command)).toEqual(['sh', 'cat', 'echo']);
      const ends = run.execLog.filter((r) => r.record === 'end');
      expect(ends.find((r) => r.seq === starts[0].seq)).toMatchObject({ exit_code: 3 });
    }
    expect(readFileSync(join(workspace, 'README.md'), 'utf8')).toBe('changed\n');
  });

  it('stops before the agent starts when moat.yaml is wrong, and says where', () => {
    writeFileSync(join(workspace, 'moat.yaml'), 'snapshots:\n  retention:\n    max_count: -1\n');
    const { code, stderr } = moat(['run', '--', 'sh', '-c', 'touch started']);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^moat: .*moat\.yaml:3:16: snapshots\.retention\.max_count must be at least 0, got -1\n$/,
    );
    expect(existsSync(join(workspace, 'started'))).toBe(false);
    expect(existsSync(join(home, 'runs'))).toBe(false);
  });

  it('says so when the command does not exist, and exits 127 as a shell does', () => {
    const { code, stderr } = moat(['run', '--no-trace', '--', 'no-such-agent-xyz']);
    expect(code).toBe(127);
    expect(stderr.trimEnd().split('\n').at(-1)).toBe(
      'moat: cannot run "no-such-agent-xyz": command not found; check the name and your PATH',
    );
    expect(onlyRun().record.state).toBe('failed');
  });

  it('runs without snapshots or tracing when asked', () => {
    const { code, stderr } = moat(['run', '--no-snapshots', '--no-trace', '--', 'true']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^moat: run run_[0-9a-f]{12} · snapshots off · tracing off\n/);
    expect(stderr).toMatch(/exited 0 · snapshots off · tracing off ·/);
    expect(existsSync(join(onlyRun().dir, 'snapshots', 'snapshots.json'))).toBe(false);
  });

  it('takes a git snapshot after a successful commit, also when the agent ends right after it', () => {
    spawnSync('git', ['init', '-q'], { cwd: workspace });
    const git = 'git -c user.name=t -c user.email=t@example.com';
    const { code, stderr } = moat([
      'run',
      '--',
      'sh',
      '-c',
      `/bin/echo more >> README.md && ${git} add -A && ${git} commit -qm one`,
    ]);
    expect(stderr).toContain('exited 0 · 2 snapshots');
    expect(code).toBe(0);
    expect(onlyRun().snapshots.map((s) => s.type)).toEqual(['pre-run', 'git']);
  });

  it('takes an idle snapshot after each quiet spell, counting file edits as activity', () => {
    writeFileSync(join(workspace, 'moat.yaml'), 'snapshots:\n  triggers:\n    idle_threshold_seconds: 1\n');
    // An agent that edits files itself, starting no process: only the file watcher sees it work. It
    // writes b.txt once the first idle snapshot is listed, and ends at the second (or after 20 s).
    const agent = `const fs = require('node:fs');
      const list = process.env.MOAT_HOME + '/runs/' + process.env.MOAT_RUN_ID + '/snapshots/snapshots.json';
      const idle = () => {
        try { return JSON.parse(fs.readFileSync(list, 'utf8')).filter((s) => s.type === 'idle').length; }
        catch { return 0; }
      };
      const once = (count, then) => {
        const deadline = Date.now() + 20000;
        const timer = setInterval(() => {
          if (idle() < count && Date.now() < deadline) return;
          clearInterval(timer);
          then();
        }, 50);
      };
      fs.writeFileSync('a.txt', 'a');
      once(1, () => { fs.writeFileSync('b.txt', 'b'); once(2, () => {}); });`;
    const { code, stderr } = moat(['run', '--', process.execPath, '-e', agent]);
    expect(stderr).toContain('exited 0 · 3 snapshots');
    expect(code).toBe(0);
    const snapshots = onlyRun().snapshots as { type: string; files: number }[];
    // README.md and moat.yaml, then a.txt, then b.txt: the second idle one exists only through the edit.
    expect(snapshots.map((s) => [s.type, s.files])).toEqual([
      ['pre-run', 2],
      ['idle', 3],
      ['idle', 4],
    ]);
  });

  it('passes a signal sent to moat on to the agent and exits as the agent did', async () => {
    const run = moatRun('--no-snapshots', '--', 'sleep', '30');
    // Wait until the agent runs as moat's child: a signal sent earlier ends the run instead (next test).
    await agentOf(run, 'sleep');
    run.child.kill('SIGTERM');
    const { code, stderr } = await run.exited;
    expect(code).toBe(128 + 15);
    expect(stderr).toContain('was killed by SIGTERM');
    expect(onlyRun().record).toMatchObject({ state: 'exited', exit_code: 143 });
  });

  it('ends the run as failed when interrupted before the agent starts', async () => {
    expect(moat(['run', '--no-trace', '--', 'true']).code).toBe(0);
    const runsDir = join(home, 'runs');
    const [firstRun] = readdirSync(runsDir);
    // Hold the workspace's store: the next run's pre-run snapshot waits for it.
    const [storeDir] = readdirSync(join(home, 'stores'));
    const held = await acquireLock(join(home, 'stores', storeDir as string, 'store.lock'));
    try {
      const run = moatRun('--no-trace', '--', 'sleep', '30');
      // config.json is written after the run record, once moat listens for signals.
      const runDir = () => join(runsDir, readdirSync(runsDir).find((id) => id !== firstRun) ?? 'none yet');
      await waitFor(
        () => existsSync(join(runDir(), 'config.json')),
        30_000,
        () => `the run was never recorded; moat printed: ${run.errors()}`,
      );
      expect(childProcesses(run.child.pid as number)).toEqual([]);
      run.child.kill('SIGTERM');
      const { code, stderr } = await run.exited;
      expect(code).toBe(128 + 15);
      expect(stderr).toMatch(/interrupted by SIGTERM before the agent started; run run_\w+ ended as failed/);
      const record = JSON.parse(readFileSync(join(runDir(), 'metadata.json'), 'utf8'));
      expect(record).toMatchObject({ state: 'failed', exit_code: null, pid: null });
      expect(record.ended_at).toEqual(expect.any(String));
    } finally {
      await held.release();
    }
  });

  it('lists a run whose moat was killed, and whose agent has ended since, as lost', async () => {
    const run = moatRun('--no-snapshots', '--', 'sleep', '30');
    const agent = await agentOf(run, 'sleep');
    // The record says running once the agent's pid is in it.
    const runDir = join(home, 'runs', readdirSync(join(home, 'runs'))[0] as string);
    const recorded = () => JSON.parse(readFileSync(join(runDir, 'metadata.json'), 'utf8'));
    await waitFor(() => recorded().pid === agent.pid, 30_000);
    expect(moat(['runs']).stdout).toMatch(/ running /);
    run.child.kill('SIGKILL');
    process.kill(agent.pid, 'SIGKILL');
    await run.exited; // once the agent, which held moat's stderr, is gone too
    await waitFor(() => !existsSync(`/proc/${agent.pid}`), 30_000); // reaped by init
    expect(moat(['runs']).stdout).toMatch(/^run_\w+ +- +lost +/m);
    expect(JSON.parse(moat(['runs', '--json']).stdout)).toMatchObject([{ state: 'running', pid: agent.pid }]);
  });
});
