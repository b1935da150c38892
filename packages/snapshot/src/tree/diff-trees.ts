import type { BlobHash } from '../store/types.js';
import type { TreeEntry } from './tree-object.js';

/** Reads a tree object's entries by hash (from memory or from the store). */
export type TreeLoader = (hash: BlobHash) => Promise<readonly TreeEntry[]>;

/** One path whose entry differs between two trees; `before`/`after` absent where it does not exist. */
export interface TreeChange {
  path: string;
  before?: TreeEntry;
  after?: TreeEntry;
}

/**
 * Every path that differs between two trees, parents before their children. Subtrees with equal
 * hashes are skipped without being read, so the cost follows the size of the change, not the tree.
 * A directory present on one side only is listed with everything below it.
 */
export async function* diffTrees(
  load: TreeLoader,
  before: BlobHash | null,
  after: BlobHash | null,
): AsyncGenerator<TreeChange> {
  if (before === after) return;
  yield* diffDirs(load, '', before, after);
}

async function* diffDirs(
  load: TreeLoader,
  prefix: string,
  before: BlobHash | null,
  after: BlobHash | null,
): AsyncGenerator<TreeChange> {
  const [left, right] = await Promise.all([before ? load(before) : [], after ? load(after) : []]);
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    const l = left[i];
    const r = right[j];
    const order = l && r ? compareNames(l.name, r.name) : l ? -1 : 1;
    const b = order <= 0 ? l : undefined;
    const a = order >= 0 ? r : undefined;
    if (b) i++;
    if (a) j++;
    if (b && a && sameEntry(b, a)) continue;
    const path = prefix + (a ?? b)?.name;
    yield { path, ...(b && { before: b }), ...(a && { after: a }) };
    const beforeDir = b?.type === 'dir' ? b.ref : null;
    const afterDir = a?.type === 'dir' ? a.ref : null;
    if ((beforeDir || afterDir) && beforeDir !== afterDir)
      yield* diffDirs(load, `${path}/`, beforeDir, afterDir);
  }
}

function sameEntry(a: TreeEntry, b: TreeEntry): boolean {
  return (
    a.type === b.type && a.ref === b.ref && a.mode === b.mode && a.mtimeUs === b.mtimeUs && a.size === b.size
  );
}

/** The order entries are sorted in: UTF-16 code units, as the scanner sorts. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
