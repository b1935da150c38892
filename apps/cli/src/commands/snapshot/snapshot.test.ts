import { spawn } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRun, fingerprint, moat, sandbox, waitFor, writeTree } from '../../test-support/moat-cli.js';

const SNAP = /snap_[0-9a-f]{12}/;
const loop = new URL('../../test-support/snapshot-loop.mjs', import.meta.url).pathname;

/** A moat home with one run named fix-ci on a small workspace. */
async function setup() {
  const { root, home, store } = sandbox();
  const workspace = join(root, 'ws');
  writeTree(workspace, {
    'README.md': '# app\n',
    'src/index.ts': 'export const answer = 42;\n',
    'src/old.ts': 'old\n',
    '.gitignore': '*.log\n',
    'debug.log': 'ignored\n',
  });
  chmodSync(join(workspace, 'src/index.ts'), 0o600);
  const run = await createRun(store, workspace, { name: 'fix-ci' });
  return { root, home, store, workspace, run };
}

function snapshotId(stdout: string): string {
  const id = SNAP.exec(stdout)?.[0];
  if (!id) throw new Error(`no snapshot id in ${JSON.stringify(stdout)}`);
  return id;
}

describe('moat snapshot', () => {
  it('takes manual snapshots and lists them as a table and as JSON, newest first', async () => {
    const { home, workspace, run } = await setup();
    expect(moat(home, 'snapshot', 'list', 'fix-ci')).toEqual({
      code: 0,
      stdout: 'No snapshots for this run yet.\n',
      stderr: '',
    });
    expect(moat(home, 'snapshots', 'fix-ci', '--json').stdout).toBe('[]\n');

    const first = moat(home, 'snapshot', 'fix-ci', '--label', 'before refactor');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^snap_[0-9a-f]{12} \(before refactor\)\n$/);
    writeFileSync(join(workspace, 'src/new.ts'), 'new\n');
    const second = moat(home, 'snapshot', run.id);
    expect(second.stdout).toMatch(/^snap_[0-9a-f]{12}\n$/);

    const table = moat(home, 'snapshot', 'list', 'fix-ci');
    expect(table.code).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^ID +TYPE +LABEL +CREATED +FILES +SIZE +ADDED$/);
    expect(lines[1]).toMatch(
      new RegExp(`^${snapshotId(second.stdout)} +manual +- +just now +5 +46 B +\\+[\\d.]+ (B|KiB)$`),
    );
    expect(lines[2]).toMatch(
      new RegExp(`^${snapshotId(first.stdout)} +manual +before refactor +just now +4 `),
    );
    expect(table.stdout.endsWith('\n\n2 snapshots (backend: store)\n')).toBe(true);

    const json = JSON.parse(moat(home, 'snapshots', run.id.slice(4, 10), '--json').stdout);
    expect(json.map((r: { id: string }) => r.id)).toEqual([
      snapshotId(second.stdout),
      snapshotId(first.stdout),
    ]);
    expect(Object.keys(json[1])).toEqual([
      'id',
      'type',
      'label',
      'created_at',
      'backend',
      'files',
      'dirs',
      'symlinks',
      'bytes',
      'bytes_added',
    ]);
    expect(json[1]).toMatchObject({ type: 'manual', label: 'before refactor', backend: 'store', files: 4 });
  });

  it('says what to do for an unknown run, an ambiguous one and an unknown snapshot', async () => {
    const { home, store, workspace } = await setup();
    await createRun(store, workspace, { name: 'other' });
    await createRun(store, workspace, { name: 'other' });
    const unknown = moat(home, 'snapshot', 'list', 'nope');
    expect(unknown).toEqual({
      code: 1,
      stdout: '',
      stderr: `moat: no run matches "nope"; run 'moat runs' to list runs\n`,
    });
    const ambiguous = moat(home, 'snapshot', 'other');
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/^moat: .*other.*2 runs/);
    const prefix = moat(home, 'snapshots', 'run_');
    expect(prefix.code).toBe(1);
    expect(prefix.stderr).toMatch(/^moat: "run_" matches 3 run ids; type more characters/);
    const snap = moat(home, 'snapshot', 'diff', 'fix-ci', 'snap_000000000000');
    expect(snap).toEqual({
      code: 1,
      stdout: '',
      stderr: `moat: run fix-ci has no snapshot "snap_000000000000"; run 'moat snapshot list fix-ci' to see its snapshots\n`,
    });
    expect(moat(home, 'snapshot', 'restore', 'fix-ci').stderr).toBe(
      "moat: run fix-ci has no snapshot to restore yet; take one with 'moat snapshot fix-ci'\n",
    );
    expect(moat(home, 'snapshot').code).toBe(2);
    const keep = moat(home, 'snapshot', 'prune', 'fix-ci', '--keep', '-1');
    expect(keep.code).toBe(2);
    expect(keep.stderr).toContain("option '--keep <n>' argument '-1' is invalid");
  });

  it('diffs a snapshot against the live workspace and against another snapshot', async () => {
    const { home, workspace } = await setup();
    const before = snapshotId(moat(home, 'snapshot', 'fix-ci').stdout);
    writeFileSync(join(workspace, 'src/index.ts'), 'export const answer = 43; // changed\n');
    writeFileSync(join(workspace, 'src/added.ts'), 'added\n');
    rmSync(join(workspace, 'src/old.ts'));
    writeFileSync(join(workspace, 'more.log'), 'ignored too\n');

    const live = moat(home, 'snapshot', 'diff', 'fix-ci', before.slice(5, 11));
    expect(live).toEqual({
      code: 0,
      stdout:
        'A src/added.ts (6 B)\nM src/index.ts (26 B → 37 B)\nD src/old.ts\n\n1 added, 1 modified, 1 deleted\n',
      stderr: '',
    });
    const after = snapshotId(moat(home, 'snapshot', 'fix-ci').stdout);
    const json = JSON.parse(moat(home, 'snapshot', 'diff', 'fix-ci', before, after, '--json').stdout);
    expect(json).toEqual({
      from: before,
      to: after,
      added: [{ path: 'src/added.ts', type: 'file', size: 6, change: null, previous_size: null }],
      modified: [{ path: 'src/index.ts', type: 'file', size: 37, change: 'content', previous_size: 26 }],
      deleted: [{ path: 'src/old.ts', type: 'file', size: 4, change: null, previous_size: null }],
    });
    expect(moat(home, 'snapshot', 'diff', 'fix-ci', after).stdout).toBe('No changes.\n');
    expect(JSON.parse(moat(home, 'snapshot', 'diff', 'fix-ci', after, '--json').stdout).to).toBeNull();
  });

  it('restores in place with a safety snapshot, and the printed undo brings the edits back', async () => {
    const { home, workspace } = await setup();
    const original = fingerprint(workspace);
    const target = snapshotId(moat(home, 'snapshot', 'fix-ci', '--label', 'good').stdout);
    writeFileSync(join(workspace, 'src/index.ts'), 'broken\n');
    writeFileSync(join(workspace, 'src/agent.ts'), 'agent work\n');
    rmSync(join(workspace, 'README.md'));
    const edited = fingerprint(workspace);

    const dryRun = moat(home, 'rollback', 'fix-ci', '--dry-run');
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain(`Restoring ${target} (manual, good, just now) will change `);
    expect(dryRun.stdout).toContain(
      '  1 added, 1 modified, 1 deleted\n  A README.md (6 B)\n  D src/agent.ts\n  M src/index.ts (7 B → 26 B)\n',
    );
    expect(dryRun.stdout.endsWith('Dry run - no changes made\n')).toBe(true);
    expect(fingerprint(workspace)).toEqual(edited);

    const restored = moat(home, 'snapshot', 'restore', 'fix-ci');
    expect(restored.code).toBe(0);
    const safety = snapshotId(restored.stdout);
    expect(restored.stdout).toBe(
      `Creating safety snapshot of current state... done (${safety})\n` +
        `Restoring workspace to ${target}... done\n\n` +
        `To undo: moat snapshot restore fix-ci ${safety}\n`,
    );
    expect(fingerprint(workspace)).toEqual(original);
    // The default target skips safety snapshots: restoring again goes to the same snapshot.
    expect(moat(home, 'snapshot', 'restore', 'fix-ci', '--dry-run').stdout).toContain('already matches');

    const undo = moat(home, 'snapshot', 'restore', 'fix-ci', safety);
    expect(undo.code).toBe(0);
    expect(fingerprint(workspace)).toEqual(edited);
  });

  it('extracts a snapshot into a new directory and refuses a non-empty one', async () => {
    const { root, home, workspace } = await setup();
    const id = snapshotId(moat(home, 'snapshot', 'fix-ci').stdout);
    const original = fingerprint(workspace).filter((line) => !line.startsWith('debug.log'));
    writeFileSync(join(workspace, 'README.md'), 'changed\n');
    const out = join(root, 'out');
    expect(moat(home, 'snapshot', 'restore', 'fix-ci', id, '--to', out)).toEqual({
      code: 0,
      stdout: `Extracting snapshot to ${out}... done\n`,
      stderr: '',
    });
    expect(fingerprint(out)).toEqual(original);
    expect(readFileSync(join(workspace, 'README.md'), 'utf8')).toBe('changed\n');
    const again = moat(home, 'rollback', 'fix-ci', id, '--to', out);
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr: `moat: ${out} is not empty; restore into a new or empty directory\n`,
    });
  });

  it('lists, extracts and restores the snapshots of a deleted workspace, recreating it in place', async () => {
    const { root, home, workspace } = await setup();
    const id = snapshotId(moat(home, 'snapshot', 'fix-ci', '--label', 'safe').stdout);
    const original = fingerprint(workspace).filter((line) => !line.startsWith('debug.log'));
    rmSync(workspace, { recursive: true });

    expect(moat(home, 'snapshots', 'fix-ci').stdout).toContain(id);
    expect(moat(home, 'snapshot', 'diff', 'fix-ci', id)).toEqual({
      code: 1,
      stdout: '',
      stderr: `moat: the workspace ${workspace} no longer exists: bring it back with 'moat rollback fix-ci ${id}', or compare two snapshots with 'moat snapshot diff fix-ci ${id} SNAP2'\n`,
    });
    const elsewhere = join(root, 'elsewhere');
    expect(moat(home, 'rollback', 'fix-ci', id, '--to', elsewhere).code).toBe(0);
    expect(fingerprint(elsewhere)).toEqual(original);

    expect(moat(home, 'rollback', 'fix-ci', '--dry-run').stdout).toBe(
      `The workspace ${workspace} no longer exists; would recreate it from ${id}\nDry run - no changes made\n`,
    );
    expect(moat(home, 'rollback', 'fix-ci')).toEqual({
      code: 0,
      stdout: `The workspace ${workspace} no longer exists; recreating it from ${id}\nRestored ${id} into ${workspace}... done\n`,
      stderr: '',
    });
    expect(fingerprint(workspace)).toEqual(original);
    expect(moat(home, 'snapshot', 'diff', 'fix-ci', id).stdout).toBe('No changes.\n');
  });

  it('works the same on the archive backend chosen in moat.yaml', () => {
    const { root, home } = sandbox();
    const workspace = join(root, 'ws');
    writeTree(workspace, { 'README.md': '# app\n', 'moat.yaml': 'snapshots:\n  backend: archive\n' });
    const ran = moat(
      home,
      'run',
      '--name',
      'arch',
      '--workspace',
      workspace,
      '--',
      'sh',
      '-c',
      'echo new > new.txt',
    );
    expect(ran.code).toBe(0);
    const [preRun] = JSON.parse(moat(home, 'snapshots', 'arch', '--json').stdout) as {
      id: string;
      backend: string;
    }[];
    expect(preRun?.backend).toBe('archive');
    expect(
      readdirSync(join(home, 'stores')).flatMap((store) =>
        readdirSync(join(home, 'stores', store, 'archives')),
      ),
    ).toEqual([`${preRun?.id}.tar.gz`]);
    expect(moat(home, 'rollback', 'arch', preRun?.id ?? '', '--yes').code).toBe(0);
    expect(readdirSync(workspace).sort()).toEqual(['README.md', 'moat.yaml']);
    expect(moat(home, 'snapshot', 'verify', 'arch').stdout).toBe('Verified 2 snapshots: no problems.\n');
  });

  it('prunes all but the newest snapshots, keeping pre-run ones', async () => {
    const { home, workspace } = await setup();
    for (let i = 0; i < 4; i++) {
      writeFileSync(join(workspace, 'counter.txt'), `${i}\n`);
      moat(home, 'snapshot', 'fix-ci', '--label', `m${i}`);
    }
    const dryRun = moat(home, 'snapshot', 'prune', 'fix-ci', '--keep', '1', '--dry-run');
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toMatch(
      /^Snapshots to delete \(3\):\n {2}snap_\w+ +manual +m0 +just now\n {2}snap_\w+ +manual +m1 +just now\n {2}snap_\w+ +manual +m2 +just now\n\nDry run - no changes made\n$/,
    );
    const pruned = moat(home, 'snapshot', 'prune', 'fix-ci', '--keep', '1');
    expect(pruned.code).toBe(0);
    expect(pruned.stdout.endsWith('\nPruned 3 snapshots\n')).toBe(true);
    const left = JSON.parse(moat(home, 'snapshots', 'fix-ci', '--json').stdout);
    expect(left.map((r: { label: string }) => r.label)).toEqual(['m3']);
    expect(moat(home, 'snapshot', 'prune', 'fix-ci').stdout).toBe(
      'Nothing to prune (have 1 snapshot, keeping the 5 newest + 0 pre-run + the newest safety snapshot)\n',
    );
  });

  it('verifies the store, and exits 1 naming the snapshots a damaged pack breaks', async () => {
    const { home, workspace } = await setup();
    const first = snapshotId(moat(home, 'snapshot', 'fix-ci').stdout);
    expect(moat(home, 'snapshot', 'verify', 'fix-ci')).toEqual({
      code: 0,
      stdout: 'Verified 1 snapshot: no problems.\n',
      stderr: '',
    });
    writeFileSync(join(workspace, 'later.txt'), 'only in the second snapshot\n'.repeat(50));
    const second = snapshotId(moat(home, 'snapshot', 'fix-ci').stdout);
    const packs = readdirSync(join(home, 'stores'), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.pack'))
      .map((name) => join(home, 'stores', name))
      .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
    const newest = packs.at(-1) as string;
    const data = readFileSync(newest);
    data[data.length - 3] = (data[data.length - 3] ?? 0) ^ 0xff;
    writeFileSync(newest, data);
    const result = moat(home, 'snapshot', 'verify', 'fix-ci');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`breaks ${second}`);
    expect(result.stderr).toBe(
      `moat: 1 snapshot of run fix-ci cannot be restored completely: ${second}; the others are intact\n`,
    );
    expect(result.stdout).not.toContain(first);
  });

  it('recovers an interrupted restore, which blocks other changes until then', async () => {
    const { home, workspace } = await setup();
    expect(moat(home, 'snapshot', 'recover', 'fix-ci', '--complete').stdout).toBe(
      'No interrupted restore for run fix-ci; nothing to recover.\n',
    );
    expect(moat(home, 'snapshot', 'recover', 'fix-ci').code).toBe(2);
    const original = fingerprint(workspace);
    const target = snapshotId(moat(home, 'snapshot', 'fix-ci').stdout);
    writeFileSync(join(workspace, 'README.md'), 'half restored\n');
    const safety = snapshotId(moat(home, 'snapshot', 'fix-ci').stdout);
    // What a restore that died half way leaves behind: its journal in the store.
    const [storeName] = readdirSync(join(home, 'stores'));
    writeFileSync(
      join(home, 'stores', storeName as string, 'restore-journal.json'),
      JSON.stringify({
        target,
        safety,
        workspace: await realpath(workspace),
        temp_prefix: '.moat-restore-dead0000-',
        started_at: '2026-01-01T00:00:00.000Z',
      }),
    );
    writeFileSync(join(workspace, '.moat-restore-dead0000-README.md'), 'leftover\n');
    const blocked = moat(home, 'snapshot', 'fix-ci');
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain("finish it with 'moat snapshot recover RUN --complete'");
    expect(moat(home, 'snapshot', 'recover', 'fix-ci', '--complete')).toEqual({
      code: 0,
      stdout: `Finished the interrupted restore: the workspace is ${target}.\n`,
      stderr: '',
    });
    expect(fingerprint(workspace)).toEqual(original);
    expect(moat(home, 'snapshot', 'fix-ci').code).toBe(0);
  });

  it('snapshots and diffs from a second terminal while another process keeps the store busy', async () => {
    const { home, workspace, run } = await setup();
    const stopFile = join(workspace, '..', 'stop');
    const child = spawn(process.execPath, [loop, run.id, workspace, stopFile], {
      env: { ...process.env, MOAT_HOME: home },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const list = () => JSON.parse(moat(home, 'snapshots', 'fix-ci', '--json').stdout) as { label: string }[];
    await waitFor(() => list().length > 0);
    const mine = moat(home, 'snapshot', 'fix-ci', '--label', 'from another terminal');
    expect(mine.code).toBe(0);
    const diff = moat(home, 'snapshot', 'diff', 'fix-ci', snapshotId(mine.stdout));
    expect(diff.code).toBe(0);
    expect(diff.stdout).toMatch(/changes\.|added/);
    writeFileSync(stopFile, '');
    expect(await exited).toBe(0);
    const labels = list().map((r) => r.label);
    expect(labels).toContain('from another terminal');
    expect(labels.filter((label) => label?.startsWith('loop')).length).toBeGreaterThan(0);
    expect(moat(home, 'snapshot', 'verify', 'fix-ci').code).toBe(0);
  });

  it('has help with examples for every subcommand', () => {
    const { home } = sandbox();
    for (const args of [
      ['snapshot'],
      ['snapshot', 'list'],
      ['snapshots'],
      ['snapshot', 'restore'],
      ['rollback'],
      ['snapshot', 'diff'],
      ['snapshot', 'prune'],
      ['snapshot', 'verify'],
      ['snapshot', 'recover'],
    ]) {
      const help = moat(home, ...args, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Example');
    }
  });
});
