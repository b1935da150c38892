import { describe, expect, it } from 'vitest';
import type { ScanNode, ScanResult } from '../scan/types.js';
import { checkLimits, formatBytes } from './limits.js';

function file(name: string, size: number): ScanNode {
  return { name, type: 'file', mode: 0o644, size, mtimeMs: 0, mtimeUs: 0, ctimeMs: 0, ino: 0 };
}
function dir(name: string, children: ScanNode[]): ScanResult['root'] {
  return { name, type: 'dir', mode: 0o755, size: 0, mtimeMs: 0, mtimeUs: 0, ctimeMs: 0, ino: 0, children };
}
function scan(root: ScanResult['root']): ScanResult {
  let files = 0;
  let bytes = 0;
  const count = (node: ScanNode) => {
    for (const child of node.children ?? []) {
      if (child.type === 'file') {
        files++;
        bytes += child.size;
      }
      count(child);
    }
  };
  count(root);
  return { root, notes: [], totals: { files, dirs: 0, symlinks: 0, bytes } };
}

const generous = { max_files: 100, max_total_bytes: 10_000, max_file_bytes: 5_000 };
const tree = scan(
  dir('', [
    dir('data', [file('a.bin', 4000), file('b.bin', 3000)]),
    dir('src', [file('x.ts', 10), file('y.ts', 20)]),
  ]),
);

describe('checkLimits', () => {
  it('accepts a workspace within every limit', () => {
    expect(checkLimits(tree, generous)).toBeNull();
  });

  it('names the files over max_file_bytes, biggest first, and the key', () => {
    expect(checkLimits(tree, { ...generous, max_file_bytes: 2048 })).toBe(
      '2 file(s) exceed snapshots.limits.max_file_bytes (2.0 KiB): data/a.bin (3.9 KiB), data/b.bin (2.9 KiB); exclude them with snapshots.exclude.additional in moat.yaml, or raise snapshots.limits.max_file_bytes',
    );
  });

  it('names the largest files when the total is over max_total_bytes', () => {
    expect(checkLimits(tree, { ...generous, max_total_bytes: 5000 })).toBe(
      'the workspace holds 6.9 KiB of files, over snapshots.limits.max_total_bytes (4.9 KiB); largest: data/a.bin (3.9 KiB), data/b.bin (2.9 KiB), src/y.ts (20 B), src/x.ts (10 B); exclude them with snapshots.exclude.additional in moat.yaml, or raise snapshots.limits.max_total_bytes',
    );
  });

  it('names the most crowded top-level directories when there are too many files', () => {
    expect(checkLimits(tree, { ...generous, max_files: 3 })).toBe(
      'the workspace holds 4 files, over snapshots.limits.max_files (3); most files under: data/ (2 files), src/ (2 files); exclude them with snapshots.exclude.additional in moat.yaml, or raise snapshots.limits.max_files',
    );
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [20 * 2 ** 30, '20 GiB'],
  ])('%i → %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});
