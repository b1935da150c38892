import { chmodSync, lutimesSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';

/** 2023-11-14T22:13:20Z plus a fraction that needs all six decimals. */
const T = 1_700_000_000.123456;

/**
 * A tree with what an archive must carry exactly: modes (a read-only directory with content too),
 * sub-second mtimes on files, directories and symlinks, empty files and directories, relative
 * symlinks (to a file, a directory, nothing), names that are long, non-ASCII or odd, a long link
 * target, and a file bigger than one read. No hard links and no links leading outside.
 */
export function makeRichTree(root: string): void {
  const files: [string, string | Buffer, number][] = [
    ['README.md', '# readme\n', 0o644],
    ['bin/run.sh', '#!/bin/sh\necho hi\n', 0o755],
    ['private/key', 'secret', 0o600],
    ['ro/inside.txt', 'read-only\n', 0o444],
    ['empty.txt', '', 0o644],
    ['big.bin', randomBytes(3 * 1024 * 1024 + 17), 0o644],
    ['日本語/ファイル.txt', 'unicode\n', 0o644],
    ['odd names/new\nline & "quotes"', 'odd\n', 0o644],
    ['..env', 'two dots\n', 0o644],
    [`${'long-directory-name/'.repeat(8)}${'f'.repeat(200)}`, 'long\n', 0o644],
  ];
  mkdirSync(join(root, 'empty-dir'), { recursive: true });
  for (const [path, content, mode] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
    chmodSync(join(root, path), mode);
  }
  const links: [string, string][] = [
    ['link-to-file', 'README.md'],
    ['link-to-dir', 'bin'],
    ['bin/up-and-over', '../private/key'],
    ['dangling', 'not/there'],
    ['long-target', `${'x/'.repeat(70)}y`],
  ];
  for (const [path, target] of links) symlinkSync(target, join(root, path));
  for (const [i, [path]] of files.entries()) utimesSync(join(root, path), T + i, T + i);
  for (const [i, [path]] of links.entries()) lutimesSync(join(root, path), T + 100 + i, T + 100 + i);
  // Directories last, deepest first: adding their content changed their mtimes.
  const dirs = new Set<string>();
  for (const [path] of files) for (let d = dirname(path); d !== '.'; d = dirname(d)) dirs.add(d);
  dirs.add('empty-dir');
  const deepestFirst = [...dirs].sort((a, b) => b.split('/').length - a.split('/').length);
  for (const [i, dir] of deepestFirst.entries()) utimesSync(join(root, dir), T + 200 + i, T + 200 + i);
  chmodSync(join(root, 'private'), 0o700);
  chmodSync(join(root, 'ro'), 0o555);
}
