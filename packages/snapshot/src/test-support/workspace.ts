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
import { onTestFinished } from 'vitest';

/** A temporary directory removed when the current test finishes. */
export function tempDir(prefix = 'moat-snapshot-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes files (path → content) under `root`, creating parent directories. */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/**
 * Everything a restore must reproduce, one line per entry: path, type, mode, mtime in microseconds,
 * and content hash or link target. Two directories with equal fingerprints are equal for moat.
 * `skip` names top-level entries to leave out (e.g. '.git').
 */
export function fingerprint(root: string, skip: readonly string[] = []): string[] {
  const lines: string[] = [];
  const visit = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (prefix === '' && skip.includes(name)) continue;
      const path = join(dir, name);
      const stat = lstatSync(path, { bigint: true });
      // The exact microsecond (nanoseconds rounded down), not the float mtimeMs, which may be off by one.
      const mtime = stat.mtimeNs / 1000n;
      const mode = Number(stat.mode & 0o7777n).toString(8);
      if (stat.isDirectory()) {
        visit(path, `${prefix}${name}/`);
        lines.push(`${prefix}${name}/ dir ${mode} ${mtime}`);
      } else if (stat.isSymbolicLink()) {
        lines.push(`${prefix}${name} link ${mtime} -> ${readlinkSync(path)}`);
      } else {
        const hash = createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
        lines.push(`${prefix}${name} file ${mode} ${mtime} ${hash}`);
      }
    }
  };
  visit(root, '');
  return lines.sort();
}
