import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRun, moat, sandbox, treeBytes, writeTree } from '../../test-support/moat-cli.js';

async function setup() {
  const { root, home, store } = sandbox();
  const workspace = join(root, 'ws');
  writeTree(workspace, { 'README.md': '# app\n' });
  const kept = await createRun(store, workspace, { name: 'kept' });
  expect(moat(home, 'snapshot', 'kept').code).toBe(0);
  const doomed = await createRun(store, workspace, { name: 'doomed' });
  writeFileSync(join(workspace, 'random.bin'), randomBytes(256 * 1024));
  expect(moat(home, 'snapshot', 'doomed').code).toBe(0);
  expect(moat(home, 'snapshot', 'doomed', '--label', 'again').code).toBe(0);
  return { home, store, workspace, kept, doomed };
}

describe('moat rm', () => {
  it("removes a run's data and the store data only it used, leaving other runs intact", async () => {
    const { home, store, kept, doomed } = await setup();
    const storeBefore = treeBytes(join(home, 'stores'));
    expect(moat(home, 'rm', 'doomed')).toEqual({
      code: 0,
      stdout: `Removed ${doomed.id} (doomed): 2 snapshots deleted\n`,
      stderr: '',
    });
    expect(existsSync(store.paths.runDir(doomed.id))).toBe(false);
    expect(JSON.parse(moat(home, 'runs', '--json').stdout).map((r: { id: string }) => r.id)).toEqual([
      kept.id,
    ]);
    expect(treeBytes(join(home, 'stores'))).toBeLessThan(storeBefore - 200 * 1024);
    expect(moat(home, 'snapshot', 'verify', 'kept').code).toBe(0);
    expect(moat(home, 'rm', 'kept').stdout).toBe(`Removed ${kept.id} (kept): 1 snapshot deleted\n`);
  });

  it('removes nothing when one of the runs is unknown', async () => {
    const { home, store, doomed } = await setup();
    const result = moat(home, 'rm', 'doomed', 'nope');
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `moat: no run matches "nope"; run 'moat runs' to list runs\n`,
    });
    expect(existsSync(store.paths.runDir(doomed.id))).toBe(true);
    expect(moat(home, 'rm').code).toBe(2);
  });

  it('refuses a run whose agent is alive unless --force', async () => {
    const { root, home, store } = sandbox();
    // This test process stands in for the live agent.
    const live = await createRun(store, join(root, 'ws'), {
      name: 'live',
      state: 'running',
      pid: process.pid,
    });
    expect(moat(home, 'rm', 'live')).toEqual({
      code: 1,
      stdout: '',
      stderr: `moat: run live is still running (pid ${process.pid}); stop it first, or pass --force to remove it anyway\n`,
    });
    expect(moat(home, 'rm', 'live', '--force').code).toBe(0);
    expect(existsSync(store.paths.runDir(live.id))).toBe(false);
    // A run left "running" by a crashed moat (its pid is gone) is removed without --force.
    const stale = await createRun(store, join(root, 'ws'), { state: 'running', pid: 2 ** 22 + 1 });
    expect(moat(home, 'rm', stale.id).code).toBe(0);
  });

  it('warns but removes a run whose workspace is gone', async () => {
    const { root, home, store } = sandbox();
    const workspace = join(root, 'gone');
    const run = await createRun(store, workspace);
    writeFileSync(join(workspace, 'a.txt'), 'a\n');
    expect(moat(home, 'snapshot', run.id).code).toBe(0);
    rmSync(workspace, { recursive: true });
    const result = moat(home, 'rm', run.id);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('no longer exists');
    expect(existsSync(store.paths.runDir(run.id))).toBe(false);
  });

  it('has help with an example', () => {
    const { home } = sandbox();
    expect(moat(home, 'rm', '--help').stdout).toContain('Examples:\n  $ moat rm fix-ci');
  });
});
