#!/usr/bin/env node
// Measures the snapshot anchors (GNU tar, a shadow git repository, restic) side by side on the benchmark
// workspace built by make-tree.mjs, and the moat engine once packages/snapshot is built, on two file sets:
//   all  everything but the root .git, node_modules included
//   src  what the workspace's .gitignore keeps (no node_modules, .env, *.log)
// Usage: node bench/snapshot/run.mjs [--quick] [--no-settle]
// Writes bench/snapshot/results/<date>[-quick].json and the section of docs/benchmarks.md between
// <!-- snapshot-bench:start --> and <!-- snapshot-bench:end -->. README.md explains the method.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  BENCH_DIR,
  countTree,
  deleteTree,
  editFiles,
  fileSets,
  GIT_ENV,
  MOAT_ENTRY,
  moatSettings,
  REPO_ROOT,
  readMarker,
  run,
  SETTLE_SECONDS,
  secondsToSettle,
  storeSize,
  workspaceDir,
} from './common.mjs';
import {
  fmtSeconds,
  fmtTime,
  have,
  summarize,
  table,
  toJson,
  writeBenchmarkSection,
} from '../lib/report.mjs';

const USAGE = 'usage: node bench/snapshot/run.mjs [--quick] [--no-settle]';
const flags = process.argv.slice(2);
if (flags.some((f) => f !== '--quick' && f !== '--no-settle')) fail(USAGE);
const QUICK = flags.includes('--quick');
// heavy: a whole store or a whole restore (seconds each); light: incremental snapshots, in-place restores.
const RUNS = QUICK ? { heavy: 3, light: 5 } : { heavy: 5, light: 10 };
const EDIT_LIMIT = 64 * 1024;
const START = '<!-- snapshot-bench:start -->';
const END = '<!-- snapshot-bench:end -->';
const started = performance.now();

const LABELS = {
  tar_create: 'tar czf',
  tar_extract: 'tar xzf into an empty directory',
  git_first: 'shadow git first snapshot (add -A + write-tree)',
  git_nochange: 'shadow git, no change',
  git_edit: 'shadow git, 10 edited files',
  restic_first: 'restic init + first backup',
  restic_nochange: 'restic backup, no change',
  restic_edit: 'restic backup, 10 edited files',
  restic_restore: 'restic restore into an empty directory',
  walk_floor: 'bare Node walk: readdirSync + lstatSync of every entry, one thread',
  moat_first_warm: 'moat first snapshot, in-process',
  moat_first_cold: 'moat first snapshot, cold process',
  moat_nochange_warm: 'moat no-change snapshot, in-process',
  moat_nochange_cold: 'moat no-change snapshot, cold process',
  moat_edit_warm: 'moat 10-edit snapshot, in-process',
  moat_edit_cold: 'moat 10-edit snapshot, cold process',
  moat_restore_inplace: 'moat in-place restore after 10 edits, in-process',
  moat_restore_to: 'moat restore into an empty directory, in-process',
};

const GROUPS = [
  ['GNU tar, `--format=posix`, gzip', ['tar_create', 'tar_extract']],
  ['shadow git repository', ['git_first', 'git_nochange', 'git_edit']],
  ['restic', ['restic_first', 'restic_nochange', 'restic_edit', 'restic_restore']],
  ['floor: what any single-threaded Node scan pays', ['walk_floor']],
  [
    'moat (`@moat/snapshot`)',
    [
      'moat_first_warm',
      'moat_first_cold',
      'moat_nochange_warm',
      'moat_nochange_cold',
      'moat_edit_warm',
      'moat_edit_cold',
      'moat_restore_inplace',
      'moat_restore_to',
    ],
  ],
];

// Targets of the snapshot issue: [label, moat keys, anchor key, factor]. Its words: "no-change snapshot:
// ≤ 1.0× the shadow-git incremental time on the same file set", i.e. git's run after the 10 edits.
const TIME_TARGETS = [
  [
    'no-change snapshot ≤ 1.0× shadow-git incremental (10 edits)',
    ['moat_nochange_warm', 'moat_nochange_cold'],
    'git_edit',
    1,
  ],
  [
    'no-change snapshot ≤ 0.1× restic no-change',
    ['moat_nochange_warm', 'moat_nochange_cold'],
    'restic_nochange',
    0.1,
  ],
  ['first snapshot ≤ 0.5× `tar czf`', ['moat_first_warm', 'moat_first_cold'], 'tar_create', 0.5],
  ['in-place restore after 10 edits ≤ 0.05× `tar xzf`', ['moat_restore_inplace'], 'tar_extract', 0.05],
  ['full restore into an empty dir ≤ 1.0× `tar xzf`', ['moat_restore_to'], 'tar_extract', 1],
];

const ws = workspaceDir();
const marker = readMarker(ws);
if (!marker) fail(`${ws} holds no benchmark tree: run node bench/snapshot/make-tree.mjs first`);
if (!have('hyperfine')) fail('hyperfine is missing: apt-get install hyperfine');
if (!existsSync('/usr/bin/time')) fail('GNU time is missing (peak memory): apt-get install time');
const haveRestic = have('restic');
if (!haveRestic) console.log('restic is missing, so its section is skipped: apt-get install restic');

// Every run writes into a directory of its own under the scratch dir, which is deleted only at the end:
// a deletion while measuring would slow the file creation that follows it (see SETTLE_SECONDS).
const scratch = `${ws}.run`;
const trash = join(scratch, 'trash');
const fsType = run('stat', ['-f', '-c', '%T', ws]).trim();
if (fsType === 'tmpfs') console.log(`warning: ${ws} is on tmpfs, so restore times say nothing about a disk`);
const needBytes = RUNS.heavy * 1.8e9 + 1e9;
const { bavail, bsize } = statfsSync(dirname(ws));
if (bavail * bsize < needBytes)
  fail(`${dirname(ws)} needs ${(needBytes / 1e9).toFixed(0)} GB free for the run`);
if (existsSync(scratch)) {
  console.log(`deleting ${scratch}, left by an interrupted run`);
  deleteTree(ws, scratch);
}
const settle = flags.includes('--no-settle') ? 0 : secondsToSettle(ws);
if (settle > 0) {
  console.log(
    `waiting ${settle} s: a large tree was deleted here less than ${SETTLE_SECONDS} s ago, and ext4 without a ` +
      'journal creates files slowly until then (--no-settle skips the wait)',
  );
  await new Promise((resolve) => setTimeout(resolve, settle * 1000));
}
mkdirSync(trash, { recursive: true });

// The 10 edit files, from the sources commit, so an interrupted earlier run cannot change the baseline.
const edits = editFiles();
const originals = edits.map((file) =>
  run('git', ['-C', ws, 'show', `HEAD:${file}`], { env: GIT_ENV, encoding: 'buffer' }),
);
const origDir = join(scratch, 'orig');
mkdirSync(origDir);
originals.forEach((content, i) => {
  writeFileSync(join(origDir, String(i)), content);
});
restoreOriginals();
let editRun = 0;
// Each run appends a new line, so no tool finds the edited content already stored by an earlier run.
const EDITS_SH = [
  's=$(date +%s%N)',
  ...edits.map((file, i) => `cat ${q(join(origDir, String(i)))} > ${q(join(ws, file))}`),
  ...edits.map((file) => `echo "// moat-bench edit $s" >> ${q(join(ws, file))}`),
].join(' && ');

const machine = describeMachine();
const tools = toolVersions();
const loadStart = os.loadavg();
const sets = fileSets(ws);
const results = {};
for (const set of ['all', 'src']) {
  const r = { counts: marker.counts[set], excluded: sets[set], times: {}, sizes: {}, memory: {}, checks: [] };
  results[set] = r;
  // Warm page cache: read every byte once.
  spawnSync('sh', ['-c', `tar -cf - -C ${q(ws)} . | cat > /dev/null`]);
  tarSection(set, r);
  gitSection(set, r);
  if (haveRestic) resticSection(set, r);
  await floorSection(set, r);
  r.moat = await moatSection(set, r).catch((error) => {
    restoreOriginals();
    console.log(`[${set}] moat: failed: ${error.stack ?? error}`);
    return { failed: String(error.message ?? error) };
  });
}

console.log(`deleting ${scratch}`);
deleteTree(ws, scratch);
const totalSeconds = (performance.now() - started) / 1000;
const report = {
  date: new Date().toISOString(),
  mode: QUICK ? 'quick' : 'full',
  runs: RUNS,
  total_seconds: round(totalSeconds),
  settle_wait_seconds: settle,
  machine,
  tools,
  load_average: { start: loadStart.map(round), end: os.loadavg().map(round) },
  workspace: { path: ws, fs_type: fsType, sources_commit: marker.commit, counts: marker.counts, edits },
  sets: results,
};
const resultsDir = join(BENCH_DIR, 'results');
mkdirSync(resultsDir, { recursive: true });
const resultsFile = join(resultsDir, `${report.date.slice(0, 10)}${QUICK ? '-quick' : ''}.json`);
writeFileSync(resultsFile, `${toJson(report)}\n`);
const section = renderSection(report);
writeBenchmarkSection({
  start: START,
  end: END,
  section,
  machine: machine.summary,
  tools: Object.values(tools),
});
console.log(`\n${section}`);
console.log(`results: ${resultsFile}; docs/benchmarks.md updated; total ${totalSeconds.toFixed(0)} s`);

// ---- sections ----------------------------------------------------------------------------------

function tarSection(set, r) {
  const dir = join(scratch, `tar-${set}`);
  mkdirSync(dir);
  const archive = join(dir, 'ws.tar.gz');
  // --format=posix keeps nanosecond mtimes; GNU tar's default format rounds them to seconds.
  const excludes = ['--anchored', ...r.excluded.map((path) => `--exclude=./${path}`)].map(q).join(' ');
  measure(set, r, 'tar_create', `tar --format=posix -czf ${q(archive)} ${excludes} -C ${q(ws)} .`, {
    runs: RUNS.heavy,
  });
  r.sizes.tar_gz = storeSize(archive);
  const target = join(dir, 'restore');
  measure(set, r, 'tar_extract', `tar -xzf ${q(archive)} -C ${q(target)}`, {
    runs: RUNS.heavy,
    warmup: 1,
    prepare: `${fresh(target)} && mkdir ${q(target)} && sync`,
  });
  checkTree(r, 'tar xzf', target);
}

function gitSection(set, r) {
  const repo = join(scratch, `git-${set}`);
  const git = `git --git-dir=${q(repo)} --work-tree=${q(ws)}`;
  const snapshot = `${git} add -A${set === 'all' ? ' -f' : ''} && ${git} write-tree`;
  // No line-ending, filter or encoding conversion, whatever the workspace's .gitattributes say.
  const init = [
    `git --git-dir=${q(repo)} init -q`,
    `git --git-dir=${q(repo)} config core.autocrlf false`,
    `printf '* -text -filter -ident -working-tree-encoding\\n' > ${q(join(repo, 'info', 'attributes'))}`,
  ].join(' && ');
  measure(set, r, 'git_first', snapshot, {
    runs: RUNS.heavy,
    warmup: 1,
    prepare: `${fresh(repo)} && ${init} && sync`,
    env: GIT_ENV,
  });
  const objects = join(repo, 'objects');
  r.sizes.git_objects = storeSize(objects);
  measure(set, r, 'git_nochange', snapshot, { runs: RUNS.light, warmup: 1, env: GIT_ENV });
  r.sizes.git_growth_per_edit_run = growth(objects, () =>
    measure(set, r, 'git_edit', snapshot, { runs: RUNS.light, prepare: EDITS_SH, env: GIT_ENV }),
  );
  restoreOriginals();
}

function resticSection(set, r) {
  const repo = join(scratch, `restic-${set}`);
  const cache = join(scratch, `restic-${set}-cache`);
  const env = {
    ...process.env,
    RESTIC_REPOSITORY: repo,
    RESTIC_PASSWORD: 'moat-bench',
    RESTIC_CACHE_DIR: cache,
  };
  const backup = `restic backup -q ${r.excluded.map((path) => `--exclude=${q(join(ws, path))}`).join(' ')} .`;
  measure(set, r, 'restic_first', `restic init -q && ${backup}`, {
    runs: RUNS.heavy,
    prepare: `${fresh(repo)} && ${fresh(cache)} && sync`,
    env,
  });
  r.sizes.restic_repo = storeSize(repo);
  const firstId = JSON.parse(run('restic', ['snapshots', '--json'], { env }))[0].id;
  measure(set, r, 'restic_nochange', backup, { runs: RUNS.light, warmup: 1, env });
  r.sizes.restic_growth_per_edit_run = growth(repo, () =>
    measure(set, r, 'restic_edit', backup, { runs: RUNS.light, prepare: EDITS_SH, env }),
  );
  restoreOriginals();
  const target = join(scratch, `restic-${set}-restore`);
  measure(set, r, 'restic_restore', `restic restore -q ${firstId} --target ${q(target)}`, {
    runs: RUNS.heavy,
    warmup: 1,
    prepare: `${fresh(target)} && sync`,
    env,
  });
  checkTree(r, 'restic restore', target);
}

/**
 * The least any snapshot tool written in Node pays to learn that nothing changed: list every directory
 * and lstat every entry, on one thread, hashing and comparing nothing. The src set skips the directory
 * names the workspace's only .gitignore excludes.
 */
async function floorSection(set, r) {
  const skipped = new Set(set === 'src' ? ['node_modules', 'dist', 'coverage'] : []);
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (dir === ws && entry.name === '.git') continue;
      if (entry.isDirectory() && skipped.has(entry.name)) continue;
      const path = `${dir}/${entry.name}`;
      lstatSync(path);
      if (entry.isDirectory()) walk(path);
    }
  };
  await timed(set, r, 'walk_floor', RUNS.light, { warmup: 1, body: () => walk(ws) });
}

/** The engine through its public API: in-process (a supervisor's view) and one create per fresh process (a CLI's). */
async function moatSection(set, r) {
  if (!existsSync(MOAT_ENTRY)) {
    const reason = 'packages/snapshot/dist/index.js does not exist yet (build @moat/snapshot)';
    console.log(`[${set}] moat: skipped: ${reason}`);
    return { skipped: reason };
  }
  const { SnapshotEngine } = await import(pathToFileURL(MOAT_ENTRY).href);
  const base = join(scratch, `moat-${set}`);
  const open = (name) =>
    SnapshotEngine.open({
      workspace: ws,
      snapshotsDir: join(base, name, 'snapshots'),
      storeDir: join(base, name, 'store'),
      settings: moatSettings(set),
    });

  // Each first snapshot goes into a new store; the last one is the base of what follows.
  let engine;
  let first;
  let store;
  await timed(set, r, 'moat_first_warm', RUNS.heavy, {
    warmup: 1,
    prepare: async (i) => {
      store = join(base, `warm-${i}`, 'store');
      engine = await open(`warm-${i}`);
      sync();
    },
    body: async () => {
      first = await engine.create('manual', 'first');
    },
  });
  for (const key of ['files', 'symlinks', 'bytes']) {
    if (first[key] !== r.counts[key])
      r.checks.push(`moat first snapshot: ${key} ${first[key]}, the set has ${r.counts[key]}`);
  }
  // The stat cache is an accelerator, like git's index and restic's cache, which are not counted either.
  r.sizes.moat_store = storeSize(store, ['stat-cache.v8']);
  r.sizes.moat_stat_cache = storeSize(join(store, 'stat-cache.v8'));
  r.sizes.moat_first_bytes_added = first.bytes_added;

  await timed(set, r, 'moat_nochange_warm', RUNS.light, {
    warmup: 1,
    body: () => engine.create('manual', 'no change'),
  });
  const added = [];
  await timed(set, r, 'moat_edit_warm', RUNS.light, {
    prepare: applyEdits,
    body: async () => added.push((await engine.create('manual', '10 edits')).bytes_added),
  });
  r.sizes.moat_edit_bytes_added = added;

  await timed(set, r, 'moat_restore_inplace', RUNS.light, {
    prepare: applyEdits,
    body: () => engine.restore(first.id),
  });
  edits.forEach((file, i) => {
    if (!readFileSync(join(ws, file)).equals(originals[i]))
      r.checks.push(`moat restore: ${file} differs from the first snapshot`);
  });
  restoreOriginals();

  let target;
  await timed(set, r, 'moat_restore_to', RUNS.heavy, {
    warmup: 1,
    prepare: (i) => {
      target = join(base, `restore-to-${i}`);
      sync();
    },
    body: () => engine.restoreTo(first.id, target),
  });
  checkTree(r, 'moat restoreTo', target);

  const cold = join(base, 'cold');
  const create = `${q(process.execPath)} ${q(join(BENCH_DIR, 'moat-create.mjs'))} ${set} ${q(ws)} ${q(join(cold, 'snapshots'))} ${q(join(cold, 'store'))}`;
  measure(set, r, 'moat_first_cold', `${create} first`, {
    runs: RUNS.heavy,
    warmup: 1,
    prepare: `${fresh(cold)} && sync`,
  });
  measure(set, r, 'moat_nochange_cold', `${create} 'no change'`, { runs: RUNS.light, warmup: 1 });
  measure(set, r, 'moat_edit_cold', `${create} '10 edits'`, { runs: RUNS.light, prepare: EDITS_SH });
  restoreOriginals();
  // The engine changes under active development: say which one was measured.
  const commit = run('git', [
    '-C',
    REPO_ROOT,
    'log',
    '-1',
    '--format=%h %cs',
    '--',
    'packages/snapshot',
  ]).trim();
  const dirty =
    run('git', ['-C', REPO_ROOT, 'status', '--porcelain', '--', 'packages/snapshot']).trim() !== '';
  return {
    engine: `packages/snapshot at ${commit || 'no commit'}${dirty ? ' with uncommitted changes' : ''}`,
  };
}

/** Puts the missed time targets next to the floor any Node scan pays on this machine. */
function whereTheTimeGoes(rep, sets) {
  const lines = ['### Where the time goes', ''];
  for (const set of sets) {
    const t = rep.sets[set].times;
    if (!t.walk_floor || !t.moat_nochange_warm || !t.git_edit) continue;
    const floor = t.walk_floor.median;
    const c = rep.sets[set].counts;
    const perEntry = (floor / (c.files + c.dirs + c.symlinks)) * 1e6;
    lines.push(
      `- ${set}: listing and lstat'ing the set on one Node thread costs ${fmtSeconds(floor)}, ${perEntry.toFixed(1)} µs per entry ` +
        `(${(floor / t.git_edit.median).toFixed(2)}× shadow git's 10-edit run, ` +
        `${Math.round((100 * floor) / t.moat_nochange_warm.median)} % of moat's no-change snapshot)` +
        (t.tar_extract
          ? `; the in-place restore budget is ${fmtSeconds(0.05 * t.tar_extract.median)}.`
          : '.'),
    );
  }
  lines.push(
    '',
    'A snapshot or restore must stat every covered entry to know what changed; git spreads those lstat ' +
      'calls over threads (core.preloadIndex) and pays less per call from C. Where a budget is below the ' +
      "floor above, no single-threaded scan can meet it on this machine; moat's remaining cost over the floor " +
      'is comparing each entry with the stat cache and building the tree objects.',
  );
  return lines;
}

// ---- measuring ---------------------------------------------------------------------------------

/** Times a shell command with hyperfine (whose prepare step runs untimed before every run). */
function measure(set, r, key, command, { runs, warmup = 0, prepare, env = process.env }) {
  const out = join(scratch, 'hyperfine.json');
  const args = ['--style', 'none', '--runs', String(runs), '--warmup', String(warmup), '--export-json', out];
  if (prepare) args.push('--prepare', prepare);
  run('hyperfine', [...args, command], { cwd: ws, env });
  record(set, r, key, JSON.parse(readFileSync(out, 'utf8')).results[0].times, { command, prepare });
  // One more run under GNU time for the peak resident memory of the command and all it starts.
  if (prepare) run('sh', ['-c', prepare], { cwd: ws, env });
  const timed = spawnSync('/usr/bin/time', ['-f', 'max_rss_kib %M', 'sh', '-c', `${command} >/dev/null`], {
    cwd: ws,
    env,
    encoding: 'utf8',
  });
  const kib = /max_rss_kib (\d+)\s*$/.exec(timed.stderr ?? '')?.[1];
  if (timed.status !== 0 || kib === undefined)
    throw new Error(`/usr/bin/time ${command} failed: ${timed.stderr}`);
  r.memory[key] = 1024 * Number(kib);
}

/**
 * Times an in-process call with performance.now(); `prepare(i)` runs untimed before every run, `i`
 * counting the warmup runs too.
 */
async function timed(set, r, key, runs, { warmup = 0, prepare, body }) {
  const times = [];
  for (let i = 0; i < warmup + runs; i++) {
    await prepare?.(i);
    const t0 = performance.now();
    await body();
    if (i >= warmup) times.push((performance.now() - t0) / 1000);
  }
  record(set, r, key, times);
}

function record(set, r, key, times, commands = {}) {
  const { median, min, max } = summarize(times);
  r.times[key] = {
    median: round(median),
    min: round(min),
    max: round(max),
    runs: times.map(round),
    ...commands,
  };
  console.log(`[${set}] ${LABELS[key]}: ${fmtTime(r.times[key])}`);
}

/** Store growth per run of `body`'s measurement, in bytes. */
function growth(path, body) {
  const before = storeSize(path).bytes;
  body();
  return Math.round((storeSize(path).bytes - before) / RUNS.light);
}

/** Notes when a restored tree differs in counts from the file set. */
function checkTree(r, what, dir) {
  const got = countTree(dir);
  for (const key of ['files', 'dirs', 'symlinks', 'bytes']) {
    if (got[key] !== r.counts[key])
      r.checks.push(`${what}: ${key} ${got[key]}, the set has ${r.counts[key]}`);
  }
}

function applyEdits() {
  editRun++;
  edits.forEach((file, i) => {
    writeFileSync(
      join(ws, file),
      Buffer.concat([originals[i], Buffer.from(`// moat-bench edit ${process.pid}.${editRun}\n`)]),
    );
  });
}

function restoreOriginals() {
  edits.forEach((file, i) => {
    writeFileSync(join(ws, file), originals[i]);
  });
}

/** Shell: moves `path` aside into the trash, so the next run starts from nothing without a deletion. */
function fresh(path) {
  return `{ [ ! -e ${q(path)} ] || mv ${q(path)} "$(mktemp -d -p ${q(trash)})"; }`;
}

function sync() {
  spawnSync('sync');
}

// ---- the report --------------------------------------------------------------------------------

function renderSection(rep) {
  const sets = ['all', 'src'];
  const moatCell = (set) => (rep.sets[set].moat.skipped ? 'not built' : 'failed');
  const counts = rep.workspace.counts;
  const lines = [
    START,
    '## Snapshot: moat against the anchors',
    '',
    `Measured ${rep.date.slice(0, 16).replace('T', ' ')} UTC in ${rep.mode} mode (${rep.runs.heavy} runs of each whole-tree ` +
      `store or restore, ${rep.runs.light} of each incremental snapshot and in-place restore; runs that create many ` +
      `files and no-change runs follow one untimed warmup run; median, min–max in brackets; page cache warm). ` +
      `The whole run took ${Math.round(rep.total_seconds)} s` +
      (rep.settle_wait_seconds ? `, ${rep.settle_wait_seconds} s of it waiting for ext4 to settle. ` : '. ') +
      `Machine: ${rep.machine.summary}. Tools: ${Object.values(rep.tools).join(', ')}. Load average at start ` +
      `${rep.load_average.start.join(' ')}.` +
      (rep.sets.all.moat.engine ? ` moat engine: ${rep.sets.all.moat.engine}.` : ''),
    '',
    'Reproduce (see `bench/snapshot/README.md`; needs `apt-get install restic hyperfine time`):',
    '',
    '```sh',
    'node bench/snapshot/make-tree.mjs && node bench/snapshot/run.mjs    # --quick: fewer runs',
    '```',
    '',
    `Workspace \`${rep.workspace.path}\` (${rep.workspace.fs_type}), sources commit \`${rep.workspace.sources_commit.slice(0, 12)}\`:`,
    '',
    ...table(
      ['File set', 'files', 'dirs', 'symlinks', 'bytes'],
      'lrrrr',
      [
        ['all: all but the root `.git`', counts.all],
        ['src: what `.gitignore` keeps', counts.src],
        ['(node_modules alone)', counts.node_modules],
      ].map(([name, c]) => [name, String(c.files), String(c.dirs), String(c.symlinks), fmtBytes(c.bytes)]),
    ),
    '',
    '### Times',
    '',
  ];
  const timeRows = [];
  for (const [group, keys] of GROUPS) {
    timeRows.push([`**${group}**`, '', '']);
    if (keys[0].startsWith('moat') && !sets.some((set) => rep.sets[set].times[keys[0]])) {
      timeRows.push(['every measurement', ...sets.map(moatCell)]);
      continue;
    }
    for (const key of keys) {
      timeRows.push([
        LABELS[key],
        ...sets.map((set) => (rep.sets[set].times[key] ? fmtTime(rep.sets[set].times[key]) : 'skipped')),
      ]);
    }
  }
  lines.push(...table(['Measurement', 'all', 'src'], 'lll', timeRows));

  const size = (s) =>
    s
      ? `${fmtBytes(s.bytes)} (${fmtBytes(s.disk_bytes)} on disk, ${s.files} file${s.files === 1 ? '' : 's'})`
      : 'skipped';
  const perRun = (n) => (n === undefined ? 'skipped' : fmtBytes(n));
  const sizeRow = (label, cell) => [label, ...sets.map((set) => cell(rep.sets[set].sizes, set))];
  lines.push(
    '',
    '### Store sizes',
    '',
    ...table(['Store', 'all', 'src'], 'lll', [
      sizeRow('tar.gz', (s) => size(s.tar_gz)),
      sizeRow('shadow git objects after the first snapshot', (s) => size(s.git_objects)),
      sizeRow('restic repository after the first backup', (s) => size(s.restic_repo)),
      sizeRow('moat store after the first snapshot', (s, set) =>
        s.moat_store ? size(s.moat_store) : moatCell(set),
      ),
      sizeRow("moat stat cache (not counted above, like git's index)", (s, set) =>
        s.moat_stat_cache ? size(s.moat_stat_cache) : moatCell(set),
      ),
      sizeRow('shadow git growth per 10-edit run', (s) => perRun(s.git_growth_per_edit_run)),
      sizeRow('restic growth per 10-edit run', (s) => perRun(s.restic_growth_per_edit_run)),
      sizeRow('moat `bytes_added` per 10-edit snapshot (max)', (s, set) =>
        s.moat_edit_bytes_added ? fmtBytes(Math.max(...s.moat_edit_bytes_added)) : moatCell(set),
      ),
    ]),
    '',
    '### Peak memory',
    '',
    'Peak resident memory of each command-line measurement and everything it starts (GNU time, one ' +
      'extra run); the in-process moat rows share the benchmark process and are not measured apart.',
    '',
    ...table(
      ['Measurement', 'all', 'src'],
      'lrr',
      Object.keys(rep.sets.all.memory ?? {}).map((key) => [
        LABELS[key],
        ...sets.map((set) => {
          const bytes = rep.sets[set].memory?.[key];
          return bytes === undefined ? '–' : fmtBytes(bytes);
        }),
      ]),
    ),
    '',
    '### Targets',
    '',
    'Budget = factor × the anchor median on the same file set; a cold process is a fresh `node` that opens the ' +
      'engine and takes one snapshot (`moat-create.mjs`). ✓ met, ✗ missed.',
    '',
  );
  const verdict = (ok) => (ok ? '✓' : '✗');
  const targetRows = [];
  for (const [label, [warm, cold], anchor, factor] of TIME_TARGETS) {
    for (const set of sets) {
      const t = rep.sets[set].times;
      if (!t[anchor]) continue;
      const budget = factor * t[anchor].median;
      const cell = (key) => {
        if (!key) return '–';
        if (!t[key]) return moatCell(set);
        return `${fmtSeconds(t[key].median)} = ${(t[key].median / t[anchor].median).toFixed(2)}× ${verdict(t[key].median <= budget)}`;
      };
      targetRows.push([label, set, fmtSeconds(t[anchor].median), fmtSeconds(budget), cell(warm), cell(cold)]);
    }
  }
  for (const set of sets) {
    const s = rep.sets[set].sizes;
    const edited = s.moat_edit_bytes_added && Math.max(...s.moat_edit_bytes_added);
    targetRows.push(
      [
        'a 10-edit snapshot adds ≤ 64 KiB',
        set,
        '–',
        fmtBytes(EDIT_LIMIT),
        edited === undefined ? moatCell(set) : `${fmtBytes(edited)} ${verdict(edited <= EDIT_LIMIT)}`,
        '–',
      ],
      [
        'store ≤ tar.gz',
        set,
        fmtBytes(s.tar_gz.bytes),
        fmtBytes(s.tar_gz.bytes),
        s.moat_store
          ? `${fmtBytes(s.moat_store.bytes)} = ${(s.moat_store.bytes / s.tar_gz.bytes).toFixed(2)}× ${verdict(s.moat_store.bytes <= s.tar_gz.bytes)}`
          : moatCell(set),
        '–',
      ],
    );
  }
  lines.push(
    ...table(
      ['Target', 'Set', 'Anchor median', 'Budget', 'moat in-process', 'moat cold process'],
      'llrrll',
      targetRows,
    ),
  );

  lines.push('', ...whereTheTimeGoes(rep, sets));

  const notes = sets.flatMap((set) => {
    const { moat, checks } = rep.sets[set];
    const why = moat.skipped
      ? [`- ${set}: moat not measured: ${moat.skipped}`]
      : moat.failed
        ? [`- ${set}: moat failed: ${moat.failed}`]
        : [];
    return [...why, ...checks.map((c) => `- ${set}: ${c}`)];
  });
  lines.push(
    '',
    '### Checks',
    '',
    'Every restored tree is counted (files, dirs, symlinks, bytes) against its file set.',
    '',
  );
  lines.push(...(notes.length ? notes : ['- No differences.']));
  lines.push(
    '',
    '<details><summary>Exact commands (file set "all"; a prepare step runs untimed before each run)</summary>',
    '',
    '```sh',
  );
  for (const [key, t] of Object.entries(rep.sets.all.times)) {
    if (!t.command) continue;
    lines.push(`# ${LABELS[key]}`);
    if (t.prepare) lines.push(`#   prepare: ${t.prepare}`);
    lines.push(t.command);
  }
  lines.push('```', '', '</details>', END);
  return lines.join('\n');
}

function describeMachine() {
  const nproc = Number(run('nproc', []).trim());
  const memTotal = Number(run('free', ['-b']).match(/^Mem:\s+(\d+)/m)[1]);
  const kernel = run('uname', ['-r']).trim();
  const cpu = os.cpus()[0]?.model.trim();
  const summary =
    `nproc ${nproc} (${cpu}), ${(memTotal / 1024 ** 3).toFixed(0)} GiB RAM, Linux ${kernel}, ` +
    `Node ${process.version}, bench dir on ${fsType}`;
  return { summary, nproc, cpu, mem_total_bytes: memTotal, kernel, node: process.version, fs_type: fsType };
}

function toolVersions() {
  const first = (cmd, args) => run(cmd, args).split('\n')[0].trim();
  const versions = {
    tar: first('tar', ['--version']),
    gzip: first('gzip', ['--version']),
    git: first('git', ['--version']),
    hyperfine: first('hyperfine', ['--version']),
    node: `node ${process.version}`,
  };
  if (haveRestic) versions.restic = first('restic', ['version']);
  return versions;
}

// ---- helpers -----------------------------------------------------------------------------------

function q(s) {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

function round(x) {
  return Math.round(x * 10000) / 10000;
}

function fmtBytes(n) {
  if (Math.abs(n) < 1024) return `${n} B`;
  if (Math.abs(n) < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

function fail(message) {
  console.error(message);
  process.exit(1);
}
