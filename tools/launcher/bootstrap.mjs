// @ts-check
// Fresh clone to running CLI with nothing but Node and npm: fetch the pinned pnpm, install,
// build what is stale. Every step is skipped by a cheap mtime check when its inputs are unchanged,
// which keeps the launcher's own overhead to a few milliseconds.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { withBootstrapLock } from './bootstrap-lock.mjs';
import { findChangedSince, mtimeOf } from './freshness.mjs';
import { pinnedPnpmVersion, repoRoot, workspacePackageDirs } from './workspace.mjs';

const cacheDir = join(repoRoot, '.cache');
const installStamp = join(repoRoot, 'node_modules', '.moat-install-stamp');

/** Files whose change means `pnpm install` must run again. */
function installInputs() {
  return [
    join(repoRoot, 'package.json'),
    join(repoRoot, 'pnpm-lock.yaml'),
    join(repoRoot, 'pnpm-workspace.yaml'),
    ...workspacePackageDirs().map((dir) => join(dir, 'package.json')),
  ];
}

/** Everything a build reads: the workspace packages (generated folders skipped) and shared config. */
function buildInputs() {
  return [
    ...workspacePackageDirs(),
    join(repoRoot, 'turbo.json'),
    join(repoRoot, 'tsconfig.base.json'),
    join(repoRoot, 'package.json'),
  ];
}

/**
 * Directory holding the pinned pnpm's `pnpm` and `pnpx` executables. pnpm is fetched with npm into
 * .cache/ rather than through corepack, whose signature check fails behind some registry mirrors
 * and which newer Node releases no longer ship.
 */
export async function ensurePnpm() {
  const version = pinnedPnpmVersion();
  const prefix = join(cacheDir, `pnpm@${version}`);
  const binDir = join(prefix, 'node_modules', '.bin');
  if (existsSync(join(binDir, 'pnpm'))) return binDir;
  process.stderr.write(`moat: fetching pnpm ${version} with npm (first run)…\n`);
  const staging = `${prefix}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await run('npm', [
    'install',
    '--prefix',
    staging,
    '--no-package-lock',
    '--no-save',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    `pnpm@${version}`,
  ]);
  rmSync(prefix, { recursive: true, force: true });
  renameSync(staging, prefix);
  return binDir;
}

/** Environment for pnpm and turbo: the pinned pnpm first on PATH, telemetry off. */
async function toolEnv() {
  const pnpmBinDir = await ensurePnpm();
  return {
    ...process.env,
    PATH: [pnpmBinDir, join(repoRoot, 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter),
    TURBO_TELEMETRY_DISABLED: '1',
    DO_NOT_TRACK: '1',
  };
}

/** True when node_modules is older than some manifest or the lockfile. */
function installIsStale() {
  const stamp = mtimeOf(installStamp);
  return stamp === null || findChangedSince(installInputs(), stamp) !== null;
}

async function installNow() {
  process.stderr.write('moat: installing dependencies…\n');
  const startedAt = new Date();
  await run('pnpm', ['install', ...(process.env.CI ? ['--frozen-lockfile'] : [])], await toolEnv());
  touch(installStamp, startedAt);
}

/** Installs dependencies when missing or stale. */
export async function ensureInstalled() {
  if (!installIsStale()) return;
  await withBootstrapLock(join(cacheDir, 'bootstrap.lock'), async () => {
    if (installIsStale()) await installNow();
  });
}

/**
 * Builds `pkg` and its workspace dependencies when a source changed since the last build or an
 * expected output is missing. Turbo's cache makes the rebuild itself minimal.
 * @param {string} pkg package name, e.g. '@moat/cli'
 * @param {string} output a file the build must produce
 */
export async function ensureBuilt(pkg, output) {
  const stamp = join(cacheDir, `built-${pkg.replace(/[^a-z0-9]+/gi, '-')}`);
  const isStale = () => {
    const builtAt = mtimeOf(stamp);
    return builtAt === null || !existsSync(output) || findChangedSince(buildInputs(), builtAt) !== null;
  };
  if (!installIsStale() && !isStale()) return;
  await withBootstrapLock(join(cacheDir, 'bootstrap.lock'), async () => {
    if (installIsStale()) await installNow();
    if (!isStale()) return;
    process.stderr.write(`moat: building ${pkg}…\n`);
    const startedAt = new Date();
    await runTurbo(['run', 'build', `--filter=${pkg}...`, '--output-logs=errors-only'], 'on-failure');
    touch(stamp, startedAt);
  });
}

/**
 * Runs turbo from the workspace with the pinned pnpm on PATH.
 * @param {string[]} args
 * @param {Output} output
 */
export async function runTurbo(args, output = 'inherit') {
  const env = await toolEnv();
  return run(join(repoRoot, 'node_modules', '.bin', 'turbo'), args, env, output);
}

/**
 * Creates `path` (empty) with the given mtime: the time a step *started*, so that an edit made
 * while it ran is still seen as newer next time.
 * @param {string} path
 * @param {Date} time
 */
function touch(path, time) {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '');
  utimesSync(path, time, time);
}

/**
 * Where a tool's output goes: 'inherit' for commands the user asked for; 'stderr' for set-up
 * steps, so that the CLI's stdout stays clean; 'on-failure' to show it only if the step fails.
 * @typedef {'inherit' | 'stderr' | 'on-failure'} Output
 */

/**
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 * @param {Output} [output]
 * @returns {Promise<void>}
 */
function run(command, args, env = process.env, output = 'stderr') {
  return new Promise((resolve, reject) => {
    const stdio = {
      inherit: /** @type {const} */ (['ignore', 'inherit', 'inherit']),
      stderr: /** @type {const} */ (['ignore', 2, 'inherit']),
      'on-failure': /** @type {const} */ (['ignore', 'pipe', 'pipe']),
    }[output];
    const child = spawn(command, args, { cwd: repoRoot, env, stdio: [...stdio] });
    /** @type {Buffer[]} */
    const captured = [];
    child.stdout?.on('data', (chunk) => captured.push(chunk));
    child.stderr?.on('data', (chunk) => captured.push(chunk));
    child.on('error', (error) => reject(new Error(`could not start ${command}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      process.stderr.write(Buffer.concat(captured));
      reject(new CommandFailed(command, args, code ?? 1, signal));
    });
  });
}

/** A step of the bootstrap failed; its own output has already been shown. */
export class CommandFailed extends Error {
  /**
   * @param {string} command
   * @param {string[]} args
   * @param {number} exitCode
   * @param {NodeJS.Signals | null} signal
   */
  constructor(command, args, exitCode, signal) {
    const name = command.split('/').pop();
    super(`${name} ${args.join(' ')} ${signal ? `was killed by ${signal}` : `exited with ${exitCode}`}`);
    this.exitCode = exitCode;
  }
}

/**
 * Runs a repository script's body; a failure prints one line (the failing tool has already shown
 * its own output) and exits with the tool's exit code.
 * @param {() => Promise<void>} body
 */
export async function runScript(body) {
  try {
    await body();
  } catch (error) {
    process.stderr.write(`moat: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof CommandFailed ? error.exitCode : 1);
  }
}
