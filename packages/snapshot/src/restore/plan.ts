import type { TreeChange } from '../tree/diff-trees.js';
import type { TreeEntry } from '../tree/tree-object.js';

/** A step of a restore. Paths are workspace-relative, '/'-separated. */
export interface PlannedEntry {
  path: string;
  entry: TreeEntry;
}

/**
 * The steps that make a live tree equal to a target tree, grouped in the order they must run:
 * removals first (so a path can change type), then directories, then content, then metadata, and
 * directory metadata last, deepest first, because writing into a directory changes its mtime.
 */
export interface RestorePlan {
  /** Files and symlinks to unlink. */
  removeFiles: string[];
  /** Directories to remove when empty, deepest first (one holding uncovered entries stays). */
  removeDirs: string[];
  /** Directories to create, parents first. */
  makeDirs: PlannedEntry[];
  /** Files to write (content, mode and mtime) through a temporary file and a rename. */
  writeFiles: PlannedEntry[];
  /** Symlinks to create or replace. */
  makeLinks: PlannedEntry[];
  /** Files and symlinks whose content is right but whose mode or mtime is not. */
  fixMeta: PlannedEntry[];
  /** Directories whose mode and mtime to set, deepest first. */
  fixDirs: PlannedEntry[];
}

export function planRestore(changes: Iterable<TreeChange>): RestorePlan {
  const plan: RestorePlan = {
    removeFiles: [],
    removeDirs: [],
    makeDirs: [],
    writeFiles: [],
    makeLinks: [],
    fixMeta: [],
    fixDirs: [],
  };
  for (const { path, before, after } of changes) {
    if (before && (!after || before.type !== after.type)) {
      if (before.type === 'dir') plan.removeDirs.push(path);
      else plan.removeFiles.push(path);
    }
    if (!after) continue;
    const step = { path, entry: after };
    const created = !before || before.type !== after.type;
    if (after.type === 'dir') {
      if (created) plan.makeDirs.push(step);
      plan.fixDirs.push(step);
    } else if (after.type === 'file') {
      if (created || before?.ref !== after.ref) plan.writeFiles.push(step);
      else plan.fixMeta.push(step);
    } else if (created || before?.ref !== after.ref) {
      plan.makeLinks.push(step);
    } else {
      plan.fixMeta.push(step);
    }
  }
  plan.removeDirs.sort(deepestFirst);
  plan.fixDirs.sort((a, b) => deepestFirst(a.path, b.path));
  return plan;
}

function deepestFirst(a: string, b: string): number {
  return depth(b) - depth(a) || (a < b ? -1 : a > b ? 1 : 0);
}

function depth(path: string): number {
  let count = 0;
  for (const char of path) if (char === '/') count++;
  return count;
}

export function planSize(plan: RestorePlan): number {
  return (
    plan.removeFiles.length +
    plan.removeDirs.length +
    plan.makeDirs.length +
    plan.writeFiles.length +
    plan.makeLinks.length +
    plan.fixMeta.length +
    plan.fixDirs.length
  );
}
