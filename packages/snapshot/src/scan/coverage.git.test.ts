import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Coverage } from './coverage.js';
import { type CoverageCase, coverageCases } from './test-support/coverage-cases.js';
import { mulberry32 } from './test-support/random.js';
import { git, gitIgnored, tempDir } from './test-support/temp.js';

// The expectations of the pure coverage cases are git's own answers: `git check-ignore` in a real
// repository holding the same .gitignore files agrees with every one of them. check-ignore is given
// paths that exist, without a trailing slash, so that it looks up whether each is a directory the way
// git's own walk does (a 'dir/' argument is matched as a string, and 'dir/*' matches that string).
const gitCases = coverageCases.filter(
  (testCase) => testCase.options === undefined && !testCase.differsFromGit,
);

describe('coverage cases agree with git check-ignore', () => {
  it.each(gitCases)('$name', (testCase) => {
    const excluded = new Set(testCase.excluded);
    const paths = [...(testCase.excluded ?? []), ...(testCase.covered ?? [])];
    const base = tempDir();
    splitIntoTrees(paths, Object.keys(testCase.gitignores ?? {})).forEach((tree, index) => {
      const repo = join(base, `repo${index}`);
      createRepo(repo, testCase, tree);
      const ignoredByGit = gitIgnored(repo, tree.map(withoutSlash));
      for (const path of tree)
        expect([path, ignoredByGit.has(withoutSlash(path))]).toEqual([path, excluded.has(path)]);
    });
  });
});

function createRepo(
  repo: string,
  testCase: Pick<CoverageCase, 'gitignores' | 'infoExclude'>,
  paths: readonly string[],
): void {
  mkdirSync(repo);
  git(repo, ['init', '-q']);
  for (const path of paths) {
    mkdirSync(join(repo, path.endsWith('/') ? path : parentOf(path)), { recursive: true });
    if (!path.endsWith('/')) writeFileSync(join(repo, path), '');
  }
  for (const [dir, text] of Object.entries(testCase.gitignores ?? {})) {
    mkdirSync(join(repo, dir), { recursive: true });
    writeFileSync(join(repo, dir, '.gitignore'), text);
  }
  if (testCase.infoExclude !== undefined)
    writeFileSync(join(repo, '.git/info/exclude'), testCase.infoExclude);
}

/** Groups paths so that no name is a file in one path and a directory in another of the same group. */
function splitIntoTrees(paths: readonly string[], gitignoreDirs: readonly string[]): string[][] {
  const trees: Array<{ paths: string[]; kinds: Map<string, 'file' | 'dir'> }> = [];
  for (const path of paths) {
    const kinds = kindsOf(path);
    let tree = trees.find((candidate) =>
      [...kinds].every(([name, kind]) => (candidate.kinds.get(name) ?? kind) === kind),
    );
    if (!tree) {
      tree = { paths: [], kinds: new Map(gitignoreDirs.flatMap((dir) => [...kindsOf(dir)])) };
      trees.push(tree);
    }
    tree.paths.push(path);
    for (const [name, kind] of kinds) tree.kinds.set(name, kind);
  }
  return trees.map((tree) => tree.paths);
}

/** Every name a path needs: its ancestors as directories, itself as what its spelling says. */
function kindsOf(path: string): Map<string, 'file' | 'dir'> {
  const kinds = new Map<string, 'file' | 'dir'>();
  const parts = withoutSlash(path).split('/');
  parts.forEach((_, index) => {
    const name = parts.slice(0, index + 1).join('/');
    if (name !== '') kinds.set(name, index < parts.length - 1 || path.endsWith('/') ? 'dir' : 'file');
  });
  return kinds;
}

function withoutSlash(path: string): string {
  return path.endsWith('/') ? path.slice(0, -1) : path;
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/') + 1);
}

// Random .gitignore files (negations, anchors, globstars, classes, escapes, trailing spaces) at random
// depths of random trees, seeded so that a failure reproduces. Each seed builds ten trees side by
// side in one repository (r0/ .. r9/), so that git runs twice per seed.
describe('random .gitignore layers agree with git check-ignore', () => {
  const NAMES = ['a', 'b', 'ab', 'a.c', 'x y', 'foo', '.h'];
  const SEGMENTS = ['a', 'b', '*', '?', '**', 'a*', '*.c', '[ab]', 'foo', 'x y', '.h', '\\*', 'b?', 'x\\ y'];

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i', (seed) => {
    const random = mulberry32(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const randomPattern = () => {
      let pattern = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(SEGMENTS)).join('/');
      if (random() < 0.25) pattern = `/${pattern}`;
      if (random() < 0.25) pattern = `${pattern}/`;
      if (random() < 0.25) pattern = `!${pattern}`;
      return random() < 0.1 ? `${pattern}  ` : pattern;
    };
    const dirs = new Set<string>();
    const files = new Set<string>();
    const gitignores: Record<string, string> = {};
    for (let tree = 0; tree < 10; tree++) {
      const treeDirs = [`r${tree}/`];
      for (let i = 0; i < 25; i++) {
        let dir = `r${tree}/`;
        for (let depth = Math.floor(random() * 4); depth > 0; depth--) {
          const name = pick(NAMES);
          if (files.has(dir + name)) break;
          dir += `${name}/`;
          if (!dirs.has(dir)) treeDirs.push(dir);
          dirs.add(dir);
        }
        const file = dir + pick(NAMES);
        if (!dirs.has(`${file}/`)) files.add(file);
      }
      for (const dir of treeDirs) {
        if (random() < 0.5) continue;
        const lines = Array.from({ length: 1 + Math.floor(random() * 4) }, randomPattern);
        gitignores[dir] = `${lines.join('\n')}\n`;
      }
    }
    const paths = [...dirs, ...files];
    const repo = join(tempDir(), 'repo');
    createRepo(repo, { gitignores }, paths);
    const ignoredByGit = gitIgnored(repo, paths.map(withoutSlash));
    const coverage = new Coverage(repo, { ignoreGitignore: false, additional: [] });
    for (const dir of Object.keys(gitignores).sort((a, b) => a.length - b.length)) {
      coverage.addGitignore(dir, gitignores[dir] ?? '');
    }
    const disagreements = paths.filter(
      (path) => coverage.excludes(path) !== ignoredByGit.has(withoutSlash(path)),
    );
    expect(disagreements.map((path) => ({ path, gitignores }))).toEqual([]);
    // Both answers occur often enough for the comparison to mean something.
    expect(ignoredByGit.size).toBeGreaterThan(paths.length / 10);
    expect(ignoredByGit.size).toBeLessThan((paths.length * 9) / 10);
  });
});
