// @ts-check
// What the launcher needs to know about the repository, read without any installed dependency.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Directories of the workspace packages, from the `packages:` list of pnpm-workspace.yaml.
 * Only the `dir` and `dir/*` forms are understood: they are the only ones this repository uses,
 * and reading them by hand keeps the launcher free of dependencies before the first install.
 * @param {string} root
 * @returns {string[]}
 */
export function workspacePackageDirs(root = repoRoot) {
  const text = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const globs = [];
  let inPackages = false;
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) inPackages = line.startsWith('packages:');
    const item = inPackages ? /^\s+-\s+["']?([^"'#\s]+)/.exec(line) : null;
    if (item?.[1]) globs.push(item[1]);
  }
  const dirs = [];
  for (const glob of globs) {
    const parent = glob.endsWith('/*') ? join(root, glob.slice(0, -2)) : null;
    const candidates = parent
      ? existsSync(parent)
        ? readdirSync(parent, { withFileTypes: true })
            .filter((entry) => entry.isDirectory())
            .map((entry) => join(parent, entry.name))
        : []
      : [join(root, glob)];
    dirs.push(...candidates.filter((dir) => existsSync(join(dir, 'package.json'))));
  }
  return dirs.sort();
}

/**
 * The pnpm version pinned by the root package.json's `packageManager` field.
 * @param {string} root
 */
export function pinnedPnpmVersion(root = repoRoot) {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const match = /^pnpm@(\d+\.\d+\.\d+)$/.exec(manifest.packageManager ?? '');
  if (!match?.[1]) throw new Error('package.json must pin pnpm as "packageManager": "pnpm@X.Y.Z"');
  return match[1];
}
