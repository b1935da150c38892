import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { defaultConfig } from '@moat/config';
import { type RunRecord, RunStore } from '@moat/storage';
import { onTestFinished } from 'vitest';
import { recordRunConfig } from '../run-context/run-context.js';

// The built CLI, run as a user runs it: a real process, real files.
const bin = new URL('../../dist/bin.js', import.meta.url).pathname;

/** A temporary directory with a moat home (`home`) and room for workspaces, removed after the test. */
export function sandbox(): { root: string; home: string; store: RunStore } {
  const root = mkdtempSync(join(tmpdir(), 'moat-cli-test-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  const home = join(root, 'moat-home');
  return { root, home, store: new RunStore(home) };
}

function env(home: string): NodeJS.ProcessEnv {
  return { ...process.env, MOAT_HOME: home, NO_COLOR: '1' };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `moat …` to the end, stdin and stdout not a terminal. */
export function moat(home: string, ...args: string[]): CliResult {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: env(home) });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Starts `moat …` in the background (for --follow, a live run); `output()` and `errors()` are what it
 * printed so far on stdout and stderr. `exited` waits for its output to close as well: an agent that
 * outlives moat holds it open.
 */
export function moatInBackground(home: string, ...args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], {
    env: env(home),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  onTestFinished(() => {
    if (child.exitCode === null) child.kill();
  });
  return { child, exited, output: () => stdout, errors: () => stderr };
}

/** A run of `workspace` as `moat run` records it: the record and the config it started with. */
export async function createRun(
  store: RunStore,
  workspace: string,
  options: { name?: string; state?: RunRecord['state']; pid?: number } = {},
): Promise<RunRecord> {
  mkdirSync(workspace, { recursive: true });
  const run = await store.create({ workspace, command: ['agent', '--yes'], name: options.name ?? null });
  await recordRunConfig(store, run.id, defaultConfig());
  if (options.state) return store.update(run.id, { state: options.state, pid: options.pid ?? null });
  return run;
}

/** Writes files (path → content) under `root`, creating parent directories. */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/** Every entry below `root` with its type, mode and content hash: equal fingerprints, equal trees. */
export function fingerprint(root: string): string[] {
  const lines: string[] = [];
  const visit = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      const mode = (stat.mode & 0o7777).toString(8);
      if (stat.isDirectory()) {
        lines.push(`${prefix}${name}/ ${mode}`);
        visit(path, `${prefix}${name}/`);
      } else if (stat.isSymbolicLink()) lines.push(`${prefix}${name} -> ${readlinkSync(path)}`);
      else
        lines.push(
          `${prefix}${name} ${mode} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`,
        );
    }
  };
  visit(root, '');
  return lines;
}

/** Total size of the files below `dir`. */
export function treeBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + lstatSync(join(entry.parentPath, entry.name)).size, 0);
}

/** Resolves once `check` is true, polling; rejects after `timeoutMs`, with `context()` if given. */
export async function waitFor(
  check: () => boolean,
  timeoutMs = 15_000,
  context?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting${context ? `: ${context()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
