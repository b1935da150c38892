import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitAll, copyRepoAsFreshClone } from './repo-copy.js';

// One fresh clone for the whole file: its first install and build is the expensive part.
let clone: string;
beforeAll(() => {
  clone = copyRepoAsFreshClone();
});
afterAll(() => rmSync(clone, { recursive: true, force: true }));

function inClone(command: string, args: string[]) {
  // CI and npm set variables that would change how the clone installs; a user's shell has neither.
  const env = { ...process.env, CI: '', npm_config_user_agent: '', TURBO_HASH: '' };
  const result = spawnSync(command, args, { cwd: clone, encoding: 'utf8', env, timeout: 300_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const cliVersion = JSON.parse(
  readFileSync(new URL('../../apps/cli/package.json', import.meta.url), 'utf8'),
).version;

describe('./moat on a fresh clone', () => {
  it('installs, builds and then runs the CLI on first use', () => {
    const { code, stdout, stderr } = inClone('./moat', ['--version']);
    expect(stderr).toContain('moat: installing dependencies');
    expect(stderr).toContain('moat: building @moat/cli');
    expect(stdout).toBe(`${cliVersion}\n`);
    expect(code).toBe(0);
  });

  it('does no setup work when nothing changed', () => {
    expect(inClone('./moat', ['--version'])).toEqual({ code: 0, stdout: `${cliVersion}\n`, stderr: '' });
  });

  it('rebuilds, without reinstalling, after a source file changes', () => {
    appendFileSync(join(clone, 'packages/storage/src/index.ts'), '\n');
    const { code, stderr } = inClone('./moat', ['--version']);
    expect(code).toBe(0);
    expect(stderr).toContain('moat: building @moat/cli');
    expect(stderr).not.toContain('installing');
    expect(inClone('./moat', ['--version']).stderr).toBe('');
  });

  it('reinstalls after a package manifest changes', () => {
    appendFileSync(join(clone, 'packages/config/package.json'), '\n');
    const { code, stderr } = inClone('./moat', ['--version']);
    expect(code).toBe(0);
    expect(stderr).toContain('moat: installing dependencies');
  });

  it('passes the CLI exit code and output through', () => {
    const { code, stderr } = inClone('./moat', ['no-such-command']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'no-such-command'");
  });
});

describe('npm run affected', () => {
  it('schedules only the changed package and its dependents', () => {
    commitAll(clone, 'edits'); // the launcher tests above edited files: start from a clean tree
    appendFileSync(join(clone, 'packages/config/src/index.ts'), '\n// touched\n');
    const { code, stdout, stderr } = inClone('npm', [
      'run',
      '--silent',
      'affected',
      '--',
      'HEAD',
      '--dry=json',
    ]);
    expect(stderr).not.toMatch(/error/i);
    expect(code).toBe(0);
    const plan = JSON.parse(stdout.slice(stdout.indexOf('{')));
    const tasks = new Set<string>(plan.tasks.map((task: { taskId: string }) => task.taskId));
    expect(tasks).toContain('@moat/config#test');
    expect(tasks).toContain('@moat/cli#test'); // depends on @moat/config
    // Untouched and independent: none of its own work is scheduled. (Its build may still appear,
    // as a dependency of @moat/cli's build, served from the cache.)
    for (const task of ['test', 'lint', 'typecheck']) expect(tasks).not.toContain(`@moat/storage#${task}`);
  });
});
