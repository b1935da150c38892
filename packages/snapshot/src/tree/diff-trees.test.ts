import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EntryType } from '../scan/types.js';
import { planRestore } from '../restore/plan.js';
import { diffTrees, type TreeChange } from './diff-trees.js';
import { summarizeDiff } from './summarize-diff.js';
import { encodeTree, type TreeEntry } from './tree-object.js';

/** An in-memory store of tree objects, built from nested object literals. */
function trees() {
  const objects = new Map<string, TreeEntry[]>();
  const loads: string[] = [];
  type Spec = { [name: string]: string | [string] | Spec | { mode: number; content: string } };
  const put = (spec: Spec): string => {
    const entries: TreeEntry[] = Object.keys(spec)
      .sort()
      .map((name) => {
        const value = spec[name] as Spec[string];
        const [type, ref, mode]: [EntryType, string, number] =
          typeof value === 'string'
            ? ['file', value, 0o644]
            : Array.isArray(value)
              ? ['symlink', value[0], 0o777]
              : 'content' in value && typeof value.content === 'string'
                ? ['file', value.content, value.mode as number]
                : ['dir', put(value as Spec), 0o755];
        return { name, type, mode, size: type === 'file' ? ref.length : 0, mtimeUs: 1, ref };
      });
    const hash = createHash('sha256').update(encodeTree(entries)).digest('hex');
    objects.set(hash, entries);
    return hash;
  };
  const load = async (hash: string) => {
    loads.push(hash);
    return objects.get(hash) ?? [];
  };
  return { put, load, loads };
}

async function changes(load: (h: string) => Promise<TreeEntry[]>, a: string | null, b: string | null) {
  const all: TreeChange[] = [];
  for await (const change of diffTrees(load, a, b)) all.push(change);
  return all;
}

describe('diffTrees', () => {
  it('yields nothing for equal trees without reading them', async () => {
    const t = trees();
    const root = t.put({ a: 'x', dir: { b: 'y' } });
    expect(await changes(t.load, root, root)).toEqual([]);
    expect(t.loads).toEqual([]);
  });

  it('skips unchanged subtrees and lists changes parents first', async () => {
    const t = trees();
    const big: Record<string, string> = {};
    for (let i = 0; i < 50; i++) big[`f${i}`] = `content ${i}`;
    const before = t.put({ same: big, src: { 'a.ts': 'one', 'b.ts': 'two' }, 'old.txt': 'gone' });
    const after = t.put({
      same: big,
      src: { 'a.ts': 'ONE', 'b.ts': 'two', 'c.ts': 'new' },
      link: ['src/a.ts'],
    });
    const result = await changes(t.load, before, after);
    expect(result.map((c) => c.path)).toEqual(['link', 'old.txt', 'src', 'src/a.ts', 'src/c.ts']);
    expect(t.loads).toHaveLength(4); // two roots and the two src trees, never `same`
  });

  it('lists everything below a directory that appears or disappears', async () => {
    const t = trees();
    const before = t.put({ gone: { inner: { deep: 'x' } } });
    const after = t.put({});
    const result = await changes(t.load, before, after);
    expect(result.map((c) => [c.path, c.before?.type, c.after?.type])).toEqual([
      ['gone', 'dir', undefined],
      ['gone/inner', 'dir', undefined],
      ['gone/inner/deep', 'file', undefined],
    ]);
  });
});

describe('summarizeDiff', () => {
  it('reports added, modified (with what changed) and deleted paths', async () => {
    const t = trees();
    const before = t.put({
      f: 'one',
      m: { mode: 0o644, content: 'same' },
      l: ['a'],
      d: { x: 'x' },
      t: 'file',
    });
    const after = t.put({
      f: 'two!',
      m: { mode: 0o755, content: 'same' },
      l: ['b'],
      n: 'new',
      t: { inside: 'i' },
    });
    expect(summarizeDiff(await changes(t.load, before, after))).toEqual({
      added: [
        { path: 'n', type: 'file', size: 3 },
        { path: 't/inside', type: 'file', size: 1 },
      ],
      modified: [
        { path: 'f', type: 'file', size: 4, change: 'content', previous_size: 3 },
        { path: 'l', type: 'symlink', size: 0, change: 'target' },
        { path: 'm', type: 'file', size: 4, change: 'mode', previous_size: 4 },
        { path: 't', type: 'dir', size: 0, change: 'type' },
      ],
      deleted: [
        { path: 'd', type: 'dir', size: 0 },
        { path: 'd/x', type: 'file', size: 1 },
      ],
    });
  });
});

describe('planRestore', () => {
  it('orders removals, creations, content and metadata so paths can change type', async () => {
    const t = trees();
    const live = t.put({ a: { deep: { x: 'x' } }, b: 'file b', keep: { y: 'y' }, link: ['old'] });
    const target = t.put({
      a: 'now a file',
      b: { inside: 'z' },
      keep: { y: 'Y' },
      link: ['old'],
      n: { m: {} },
    });
    const plan = planRestore(await changes(t.load, live, target));
    expect(plan.removeFiles).toEqual(['a/deep/x', 'b']);
    expect(plan.removeDirs).toEqual(['a/deep', 'a']);
    expect(plan.makeDirs.map((s) => s.path)).toEqual(['b', 'n', 'n/m']);
    expect(plan.writeFiles.map((s) => s.path)).toEqual(['a', 'b/inside', 'keep/y']);
    expect(plan.makeLinks).toEqual([]);
    expect(plan.fixDirs.map((s) => s.path)).toEqual(['n/m', 'b', 'keep', 'n']);
  });
});
