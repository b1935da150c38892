import { readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Links followed (as many as the kernel follows) and components walked before a target counts as a loop. */
const MAX_LINKS = 40;
const MAX_STEPS = 4096;

export type LinkVerdict = 'inside' | 'outside' | 'loop';

interface Walk {
  root: string;
  links: number;
  steps: number;
  /** Link targets (undefined: no link) of paths looked at: a crafted target costs no more than its length. */
  seen: Map<string, string | undefined>;
  /** Set once a component is missing or no directory: the kernel would stop there, the rest is text. */
  lexical: boolean;
}

/**
 * Where the symlink at `path` (below `root`) with target `target` leads when followed as the kernel
 * follows it: component by component, through the links on disk now, each '..' taken from wherever
 * the walk has got to. Asking the file system, not a table of what was extracted, gives its case and
 * Unicode folding (macOS) too. Past a component that does not exist the walk goes on by the text
 * alone, which is at least as strict.
 */
export function linkVerdict(root: string, path: string, target: string): LinkVerdict {
  const walk: Walk = { root, links: MAX_LINKS, steps: MAX_STEPS, seen: new Map(), lexical: false };
  const where = follow(walk, path.split('/').slice(0, -1), target);
  return Array.isArray(where) ? 'inside' : where;
}

function follow(walk: Walk, from: string[], target: string): string[] | 'outside' | 'loop' {
  if (target.startsWith('/')) return 'outside';
  let parts = [...from];
  for (const name of target.split('/')) {
    if (--walk.steps < 0) return 'loop';
    if (name === '' || name === '.') continue;
    if (name === '..') {
      if (parts.pop() === undefined) return 'outside';
      continue;
    }
    const next = walk.lexical ? undefined : linkAt(walk, join(walk.root, ...parts, name));
    if (next === undefined) {
      parts.push(name);
      continue;
    }
    if (--walk.links < 0) return 'loop';
    const resolved = follow(walk, parts, next);
    if (!Array.isArray(resolved)) return resolved;
    parts = resolved;
  }
  return parts;
}

/** The target of the symlink at `path`, or undefined when it is none. */
function linkAt(walk: Walk, path: string): string | undefined {
  if (walk.seen.has(path)) return walk.seen.get(path);
  let target: string | undefined;
  try {
    target = readlinkSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') walk.lexical = true;
    else if (code !== 'EINVAL') throw error;
  }
  walk.seen.set(path, target);
  return target;
}
