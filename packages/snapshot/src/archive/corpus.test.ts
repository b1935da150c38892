import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LimitSettings } from '../engine/limits.js';
import { SnapshotError } from '../errors.js';
import { extractArchive } from './extract.js';
import { byPath, fingerprint, hasGnuTar, type ListedEntry, listTree } from './test-support/tree-listing.js';

interface Case {
  name: string;
  file: string;
  expect: 'refuse' | 'extract';
  /** refuse: the error code, the entry the message must name (null: none), a phrase it must hold. */
  code?: string;
  entry?: string | null;
  says?: string;
  /** extract: the tree expected, or a directory (relative to the corpus) holding it. */
  tree?: Partial<ListedEntry>[];
  source?: string;
}

// The corpus is generated while the tests are collected, so that there is one test per archive.
const root = mkdtempSync(join(tmpdir(), 'moat-archive-corpus-'));
const corpus = join(root, 'corpus');
execFileSync(process.execPath, [
  new URL('../../scripts/archive-corpus.mjs', import.meta.url).pathname,
  corpus,
]);
const manifest = JSON.parse(readFileSync(join(corpus, 'manifest.json'), 'utf8')) as {
  limits: LimitSettings;
  cases: Case[];
};
const hostile = manifest.cases.filter((c) => c.expect === 'refuse');
const benign = manifest.cases.filter((c) => c.expect === 'extract');

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A new, empty destination in a directory of its own, inside `root`: escapes would land beside it. */
function destination(name: string): string {
  const dest = join(root, 'work', name, 'dest');
  mkdirSync(dest, { recursive: true });
  return dest;
}

describe('extractArchive: the hostile corpus', () => {
  it('has every kind of hostile archive', () => {
    const kinds = ['absolute-path', 'dotdot', 'dotdot-inside', 'symlink-absolute', 'symlink-escaping'];
    kinds.push('symlink-chain-escaping', 'file-through-symlink', 'hardlink-escaping', 'hardlink-missing');
    kinds.push('char-device', 'block-device', 'fifo', 'too-many-entries', 'file-too-big', 'total-too-big');
    kinds.push('path-too-long', 'bad-checksum', 'truncated-body', 'truncated-gzip', 'not-gzip');
    kinds.push('declared-size-mismatch', 'trailing-bomb');
    expect(hostile.map((c) => c.name)).toEqual(expect.arrayContaining(kinds));
  });

  it.each(hostile)(
    'refuses $name, naming the entry, leaving the destination empty and the rest untouched',
    async (c) => {
      const dest = destination(c.name);
      const before = fingerprint(root, dest);
      const error = await extractArchive(join(corpus, c.file), dest, manifest.limits).catch(
        (e: unknown) => e,
      );
      expect(SnapshotError.isInstance(error), String(error)).toBe(true);
      const { code, message } = error as SnapshotError;
      expect({ code, message }).toMatchObject({
        code: c.code,
        message: expect.stringContaining(c.says ?? ''),
      });
      expect(message.startsWith(`cannot extract ${join(corpus, c.file)}: `), message).toBe(true);
      if (c.entry === null) expect(message).not.toContain('entry "');
      else expect(message).toContain(`entry ${JSON.stringify(c.entry)} `);
      expect(message).not.toContain('\n');
      expect(readdirSync(dest)).toEqual([]);
      expect(fingerprint(root, dest)).toEqual(before);
    },
  );
});

describe('extractArchive: the benign corpus', () => {
  it.skipIf(!hasGnuTar)('has GNU tar-made archives when GNU tar is installed', () => {
    expect(benign.filter((c) => c.source !== undefined).length).toBe(2);
  });

  it.each(benign)('extracts $name exactly', async (c) => {
    const dest = destination(c.name);
    const summary = await extractArchive(join(corpus, c.file), dest, manifest.limits);
    const extracted = listTree(dest);
    if (c.source !== undefined) {
      expect(extracted).toEqual(listTree(join(corpus, c.source)));
    } else {
      expect(extracted).toMatchObject(byPath(c.tree as { path: string }[]));
    }
    const files = extracted.filter((e) => e.type === 'file');
    expect(summary.bytes).toBe(files.reduce((sum, e) => sum + Buffer.byteLength(e.content ?? ''), 0));
    // Crafted archives may imply directories or list one twice; GNU tar lists each entry once.
    if (c.source !== undefined) expect(summary.entries).toBe(extracted.length);
  });
});
