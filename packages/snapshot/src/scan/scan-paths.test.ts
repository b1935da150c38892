import { describe, expect, it } from 'vitest';
import { joinScanPath, walkScanTree } from './scan-paths.js';
import type { EntryType, ScanNode } from './types.js';

function node(name: string, type: EntryType, children?: ScanNode[]): ScanNode {
  return {
    name,
    type,
    mode: 0o644,
    size: 0,
    mtimeMs: 0,
    mtimeUs: 0,
    ctimeMs: 0,
    ino: 0,
    ...(children ? { children } : {}),
  };
}

describe('joinScanPath', () => {
  it.each([
    ['', 'a', 'a'],
    ['a', 'b', 'a/b'],
    ['a/b', 'c d', 'a/b/c d'],
  ])('joins %j and %j into %j', (parent, name, expected) => {
    expect(joinScanPath(parent, name)).toBe(expected);
  });
});

describe('walkScanTree', () => {
  const root = node('', 'dir', [
    node('a', 'dir', [node('b', 'file'), node('c', 'dir', [node('d', 'symlink')]), node('e', 'dir', [])]),
    node('f', 'file'),
  ]);

  it('yields every node below the root with its path, each directory before its content', () => {
    expect([...walkScanTree(root)].map(({ path, node }) => `${path}:${node.type}`)).toEqual([
      'a:dir',
      'a/b:file',
      'a/c:dir',
      'a/c/d:symlink',
      'a/e:dir',
      'f:file',
    ]);
  });

  it('walks a subtree with paths from the given prefix', () => {
    const subtree = root.children?.[0];
    if (!subtree) throw new Error('fixture has no subtree');
    expect([...walkScanTree(subtree, 'a')].map(({ path }) => path)).toEqual(['a/b', 'a/c', 'a/c/d', 'a/e']);
  });
});
