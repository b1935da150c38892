import type { ScanNode } from './types.js';

/** The workspace-relative path of entry `name` inside the directory at `parentPath` ('' for the root). */
export function joinScanPath(parentPath: string, name: string): string {
  return parentPath === '' ? name : `${parentPath}/${name}`;
}

export interface ScanEntry {
  /** Workspace-relative, '/'-separated, never ''. */
  path: string;
  node: ScanNode;
}

/**
 * Every node below `dir` with its path, depth first, each directory before its content and children in
 * their stored (sorted) order. The directory itself is not yielded; `dirPath` is its own path.
 */
export function* walkScanTree(dir: ScanNode, dirPath = ''): Generator<ScanEntry> {
  for (const node of dir.children ?? []) {
    const path = joinScanPath(dirPath, node.name);
    yield { path, node };
    if (node.children) yield* walkScanTree(node, path);
  }
}
