#!/usr/bin/env node
// Builds the snapshot benchmark workspace: real source trees from npm tarballs, committed to a git
// repository, plus a real node_modules installed by `npm ci` from tree/package-lock.json.
// Usage: node bench/snapshot/make-tree.mjs [DIR]   (DIR defaults to $MOAT_BENCH_DIR or /tmp/moat-bench/ws)
// Does nothing when DIR already holds the tree built from the same lockfile and source list.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import {
  countTree,
  deleteTree,
  fileSets,
  GIT_ENV,
  markerPath,
  readMarker,
  run,
  SETTLE_SECONDS,
  TREE_DIR,
  workspaceDir,
} from './common.mjs';

// Bump when the way the tree is laid out changes, so existing trees are rebuilt.
const LAYOUT = 1;

const GITIGNORE = `node_modules/
dist/
coverage/
*.log
.env
.env.*
.DS_Store
`;

const ws = workspaceDir(process.argv[2]);
const sources = JSON.parse(readFileSync(join(TREE_DIR, 'sources.json'), 'utf8'));
const digest = createHash('sha256').update(`layout ${LAYOUT}\n`);
for (const name of ['package.json', 'package-lock.json']) digest.update(readFileSync(join(TREE_DIR, name)));
const hash = digest.update(JSON.stringify(sources.packages)).digest('hex');

const marker = readMarker(ws);
if (marker?.hash === hash) {
  console.log(`${ws}: benchmark tree is up to date (built ${marker.built_at})`);
  printCounts(marker.counts);
  process.exit(0);
}
if (!marker && existsSync(ws) && readdirSync(ws).length > 0) {
  // Never delete a directory this script did not build.
  console.error(
    `${ws} holds files but no benchmark tree: remove it, or set MOAT_BENCH_DIR to another directory`,
  );
  process.exit(1);
}

const started = performance.now();
if (marker) {
  console.log(`${ws}: built from another lockfile or source list; deleting it`);
  deleteTree(ws, ws);
}
// Built beside the target and renamed into place, so an interrupted build never looks finished.
const partial = `${ws}.partial`;
const packs = `${ws}.packs`;
// A leftover of an interrupted build is as large as the tree.
if (existsSync(partial)) deleteTree(ws, partial);
rmSync(packs, { recursive: true, force: true });
mkdirSync(partial, { recursive: true });
mkdirSync(packs, { recursive: true });

for (const pkg of sources.packages) {
  console.log(`source: ${pkg.spec} -> ${pkg.dest}`);
  const [info] = JSON.parse(
    run('npm', ['pack', pkg.spec, '--json', '--pack-destination', packs], { cwd: packs }),
  );
  if (info.integrity !== pkg.integrity) {
    throw new Error(
      `${pkg.spec}: tarball integrity ${info.integrity} differs from sources.json's ${pkg.integrity}`,
    );
  }
  const unpacked = join(packs, info.filename.replace(/\.tgz$/, ''));
  mkdirSync(unpacked);
  // Only the listed paths, so little is left to delete (see SETTLE_SECONDS). -m: files get the time of
  // the checkout, as after a git clone, not the tarball's fixed 1985 date.
  const members = pkg.paths.map((path) => `package/${path}`);
  run('tar', ['-xzf', join(packs, info.filename), '-m', '--no-same-owner', '-C', unpacked, ...members]);
  for (const path of pkg.paths) {
    const to = join(partial, pkg.dest, path);
    mkdirSync(dirname(to), { recursive: true });
    renameSync(join(unpacked, 'package', path), to);
  }
}
rmSync(packs, { recursive: true, force: true });
for (const file of sources.edits) {
  if (!existsSync(join(partial, file)))
    throw new Error(`edit file ${file} (sources.json) is not in the tree`);
}

writeFileSync(join(partial, '.gitignore'), GITIGNORE);
writeFileSync(
  join(partial, 'README.md'),
  '# moat snapshot benchmark workspace\n\nBuilt by `bench/snapshot/make-tree.mjs` in the moat repository: the ' +
    'source trees of a few npm packages under `packages/`, and a `node_modules` installed with `npm ci`.\n',
);
for (const name of ['package.json', 'package-lock.json'])
  copyFileSync(join(TREE_DIR, name), join(partial, name));

// A fixed identity and date make the commit id the same on every build.
const gitEnv = {
  ...GIT_ENV,
  GIT_AUTHOR_NAME: 'moat bench',
  GIT_AUTHOR_EMAIL: 'bench@moat.invalid',
  GIT_AUTHOR_DATE: '2025-01-01T00:00:00Z',
  GIT_COMMITTER_NAME: 'moat bench',
  GIT_COMMITTER_EMAIL: 'bench@moat.invalid',
  GIT_COMMITTER_DATE: '2025-01-01T00:00:00Z',
};
console.log('git: init and commit the sources');
run('git', ['init', '-q', '-b', 'main'], { cwd: partial, env: gitEnv });
run('git', ['add', '-A'], { cwd: partial, env: gitEnv });
run('git', ['commit', '-q', '-m', 'benchmark sources'], { cwd: partial, env: gitEnv });
const commit = run('git', ['rev-parse', 'HEAD'], { cwd: partial, env: gitEnv }).trim();

// Ignored, untracked files a developer's checkout typically has besides node_modules.
writeFileSync(join(partial, '.env'), 'DATABASE_URL=postgres://localhost/dev\nAPI_TOKEN=not-a-real-token\n');
writeFileSync(join(partial, 'debug.log'), 'vite v8 dev server running at http://localhost:5173/\n');

console.log('npm ci: node_modules from bench/snapshot/tree/package-lock.json');
run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
  cwd: partial,
  stdio: ['ignore', 'inherit', 'inherit'],
});

const sets = fileSets(partial);
const counts = {
  all: countTree(partial, sets.all),
  src: countTree(partial, sets.src),
  node_modules: countTree(join(partial, 'node_modules')),
};
const built = { hash, built_at: new Date().toISOString(), commit, counts };
writeFileSync(markerPath(partial), `${JSON.stringify(built, null, 2)}\n`);
mkdirSync(dirname(ws), { recursive: true });
renameSync(partial, ws);

console.log(
  `${ws}: built in ${((performance.now() - started) / 1000).toFixed(1)} s (sources commit ${commit})`,
);
printCounts(counts);
if (marker)
  console.log(`(run.mjs waits until ${SETTLE_SECONDS} s after the old tree's deletion before it measures)`);

function printCounts(c) {
  const row = (name, t) =>
    `${name.padEnd(14)}${String(t.files).padStart(8)} files${String(t.dirs).padStart(7)} dirs${String(t.symlinks).padStart(5)} symlinks${(t.bytes / 1e6).toFixed(1).padStart(9)} MB`;
  console.log(row('all', c.all));
  console.log(row('src', c.src));
  console.log(row('node_modules', c.node_modules));
}
