import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../launcher/workspace.mjs';

/**
 * A copy of this repository as a fresh clone would have it (tracked and untracked-but-not-ignored
 * files, so uncommitted work is tested too), committed in a new git repository of its own.
 */
export function copyRepoAsFreshClone(): string {
  const copy = mkdtempSync(join(tmpdir(), 'moat-fresh-clone-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    try {
      cpSync(join(repoRoot, file), join(copy, file), { preserveTimestamps: false });
    } catch (error) {
      // A file deleted in the work tree but still in the index is simply absent from the clone.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  git(copy, 'init', '-q', '-b', 'main');
  commitAll(copy, 'fresh clone');
  return copy;
}

export function commitAll(repo: string, message: string): void {
  const author = ['-c', 'user.name=moat tests', '-c', 'user.email=tests@moat.invalid'];
  git(repo, 'add', '-A');
  git(repo, ...author, 'commit', '-qm', message);
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}
