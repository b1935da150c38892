import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// The built CLI, run as a user runs it: a real process, real files.
const bin = new URL('../../dist/bin.js', import.meta.url).pathname;
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'moat-cli-test-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function moat(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, MOAT_HOME: join(home, 'moat-home'), NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('moat CLI', () => {
  it('prints its version', () => {
    expect(moat('--version')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('lists its commands in --help', () => {
    const { code, stdout } = moat('--help');
    expect(code).toBe(0);
    for (const command of [
      'run',
      'watch',
      'snapshot',
      'snapshots',
      'rollback',
      'trace',
      'runs',
      'rm',
      'config',
      'demo',
    ])
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('ends quietly when its reader goes away, as in moat … | head', async () => {
    const child = spawn(process.execPath, [bin, 'snapshot', 'export', '--help'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // closed before moat writes: its write fails with EPIPE
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('exits 2 on an unknown command, with a hint', () => {
    const { code, stderr } = moat('snapshott');
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'snapshott'");
    expect(stderr).toContain('(add --help for usage)');
  });

  it('lists no runs as an empty JSON array when MOAT_HOME does not exist yet', () => {
    expect(moat('runs', '--json')).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
    expect(moat('runs').stdout).toBe("No runs yet. Start one with 'moat run -- <agent>'.\n");
  });

  it('reports a config error as one line and exits 1', () => {
    writeFileSync(join(home, 'moat.yaml'), 'snapshots:\n  retention:\n    max_count: -1\n');
    const { code, stdout, stderr } = moat('config', '--workspace', home);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(
      /^moat: .*moat\.yaml:3:16: snapshots\.retention\.max_count must be at least 0, got -1\n$/,
    );
  });

  it('prints the effective settings of a workspace', () => {
    writeFileSync(join(home, 'moat.yaml'), 'snapshots:\n  triggers:\n    idle_threshold_seconds: 45\n');
    const { code, stdout } = moat('config', '--workspace', home, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).snapshots.triggers.idle_threshold_seconds).toBe(45);
    expect(moat('config', '--workspace', home).stdout).toMatch(
      /^snapshots\.triggers\.idle_threshold_seconds +45$/m,
    );
  });

  it('runs the demo end to end without touching MOAT_HOME', () => {
    const { code, stdout, stderr } = moat('demo');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // The agent's run got a snapshot from each trigger, and the rollback and its undo both held.
    expect(stdout).toMatch(/moat: run demo exited 0 · 4 snapshots · \d+ commands/);
    for (const type of ['pre-run', 'git', 'build', 'idle'])
      expect(stdout).toMatch(new RegExp(`snap_[0-9a-f]{12}  ${type} `));
    expect(stdout).toContain('✓ notes.txt is back');
    expect(stdout).toContain('✓ notes.txt is gone again');
    expect(moat('runs', '--json').stdout).toBe('[]\n');
  });
});
