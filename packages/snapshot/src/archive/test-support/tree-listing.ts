import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { microsecondsOf } from '../../scan/stat-time.js';

export interface ListedEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  /** st_mode & 0o7777: setuid, setgid and sticky show. */
  mode: number;
  mtimeUs: number;
  /** Files: content (UTF-8 text, or "sha256:<hex>" for other bytes) and the number of hard links. */
  content?: string;
  nlink?: number;
  /** Symlinks: the target, verbatim. */
  target?: string;
}

/** Every entry below `root` (not the root itself), sorted by path in code-unit order. */
export function listTree(root: string): ListedEntry[] {
  const entries: ListedEntry[] = [];
  const walk = (prefix: string) => {
    for (const name of readdirSync(join(root, prefix))) {
      const path = prefix === '' ? name : `${prefix}/${name}`;
      const abs = join(root, path);
      const stats = lstatSync(abs, { bigint: true });
      const common = { path, mode: Number(stats.mode) & 0o7777, mtimeUs: microsecondsOf(stats.mtimeNs) };
      if (stats.isDirectory()) {
        entries.push({ ...common, type: 'dir' });
        walk(path);
      } else if (stats.isFile()) {
        entries.push({
          ...common,
          type: 'file',
          content: contentOf(readFileSync(abs)),
          nlink: Number(stats.nlink),
        });
      } else if (stats.isSymbolicLink()) {
        entries.push({ ...common, type: 'symlink', mode: 0o777, target: readlinkSync(abs) });
      } else {
        entries.push({ ...common, type: 'other' });
      }
    }
  };
  walk('');
  return byPath(entries);
}

function contentOf(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return Buffer.from(text).equals(bytes)
    ? text
    : `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function byPath<T extends { path: string }>(entries: T[]): T[] {
  return [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Every path below `root` with its type, size, mode and mtime, for seeing that nothing changed there. */
export function fingerprint(root: string, skip: string): string[] {
  const lines: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      if (abs === skip) continue;
      const stats = lstatSync(abs, { bigint: true });
      lines.push(`${abs} ${stats.mode} ${stats.size} ${stats.mtimeNs} ${stats.nlink}`);
      if (stats.isDirectory()) walk(abs);
    }
  };
  walk(root);
  return lines;
}

/** Whether `tar` is GNU tar (the tests use its --format, --sort and --full-time). */
export const hasGnuTar = spawnSync('tar', ['--version'], { encoding: 'utf8' }).stdout?.startsWith(
  'tar (GNU tar)',
);
