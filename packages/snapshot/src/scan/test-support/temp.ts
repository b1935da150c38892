import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { onTestFinished } from 'vitest';

/** A temporary directory (real path) removed when the current test finishes. */
export function tempDir(prefix = 'moat-scan-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Creates files (path → content) and directories (paths ending in '/') under `root`. */
export function writeTree(root: string, entries: Record<string, string>): void {
  for (const [path, content] of Object.entries(entries)) {
    if (path.endsWith('/')) {
      mkdirSync(join(root, path), { recursive: true });
    } else {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
  }
}

/**
 * Runs git in `cwd`, isolated from the machine's and user's configuration (so no global excludes
 * file), and returns stdout. Throws with git's stderr on failure.
 */
export function git(cwd: string, args: readonly string[], input?: string, okStatuses = [0]): string {
  const home = join(cwd, '..');
  const result = spawnSync('git', args, {
    cwd,
    input,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: home,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  });
  if (!okStatuses.includes(result.status ?? -1))
    throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** Paths git considers ignored (for directories pass a trailing '/'), by `git check-ignore` (exit 1: none). */
export function gitIgnored(cwd: string, paths: readonly string[]): Set<string> {
  const fields = git(
    cwd,
    ['check-ignore', '--no-index', '-v', '-n', '-z', '--stdin'],
    `${paths.join('\0')}\0`,
    [0, 1],
  ).split('\0');
  const ignored = new Set<string>();
  // Records of source, line number, pattern, path; a matching negation (pattern '!...') re-includes.
  for (let i = 0; i + 3 < fields.length; i += 4) {
    const pattern = fields[i + 2] ?? '';
    if (pattern !== '' && !pattern.startsWith('!')) ignored.add(fields[i + 3] ?? '');
  }
  return ignored;
}
