import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePnpm } from '../launcher/bootstrap.mjs';
import { repoRoot, workspacePackageDirs } from '../launcher/workspace.mjs';

// Every published package, packed as `pnpm publish` would and installed with npm into a project
// outside the workspace: what a real user gets, with nothing borrowed from the monorepo.
const published = workspacePackageDirs()
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => !manifest.private);

/** What a user does with each package right after installing it; every published package needs one. */
const smokeTests: Record<string, string> = {
  '@moat/config': `
    import { defaultConfig, loadConfig, parseConfig, ConfigError } from '@moat/config';
    const loaded = await loadConfig(process.cwd());
    if (loaded.file !== null || loaded.config.snapshots.retention.max_count !== defaultConfig().snapshots.retention.max_count) throw new Error('defaults');
    try { parseConfig('snapshots: [1]\\n', 'moat.yaml'); throw new Error('accepted a bad config'); }
    catch (error) { if (!ConfigError.isInstance(error)) throw error; }
    console.log('config ok');`,
  '@moat/storage': `
    import { RunStore, writeJsonAtomic, readJsonFile, withLock, JsonlWriter, readJsonl } from '@moat/storage';
    const runs = new RunStore(process.cwd() + '/home');
    const run = await runs.create({ workspace: process.cwd(), command: ['true'], name: 'smoke' });
    if ((await runs.resolve('smoke')).id !== run.id) throw new Error('resolve');
    await withLock(process.cwd() + '/x.lock', () => writeJsonAtomic(process.cwd() + '/x.json', { a: 1 }));
    if ((await readJsonFile(process.cwd() + '/x.json')).a !== 1) throw new Error('json');
    const log = await JsonlWriter.open(process.cwd() + '/log.jsonl');
    await log.append({ n: 1 }); await log.close();
    if ((await readJsonl(process.cwd() + '/log.jsonl')).records.length !== 1) throw new Error('jsonl');
    console.log('storage ok');`,
  '@moat/snapshot': `
    import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
    import { SnapshotEngine, defaultStoreDir } from '@moat/snapshot';
    const ws = process.cwd() + '/ws';
    mkdirSync(ws, { recursive: true });
    writeFileSync(ws + '/a.txt', 'one');
    const settings = { backend: 'auto', exclude: { ignore_gitignore: false, additional: [] },
      limits: { max_files: 1000, max_total_bytes: 1e9, max_file_bytes: 1e9 }, retention: { max_count: 0, delete_initial: false } };
    const engine = await SnapshotEngine.open({ workspace: ws, snapshotsDir: process.cwd() + '/snaps',
      storeDir: await defaultStoreDir(ws, process.cwd() + '/stores'), settings });
    const snap = await engine.create('manual');
    writeFileSync(ws + '/a.txt', 'two');
    await engine.restore(snap.id);
    if (readFileSync(ws + '/a.txt', 'utf8') !== 'one') throw new Error('restore');
    console.log('snapshot ok');`,
  '@moat/trace': `
    import { isGitCommit, isSuccessfulBuild, ScriptedTracer, summarizeExecEvents } from '@moat/trace';
    const event = { command: 'git', args: ['-C', 'repo', 'commit', '-m', 'x'], exit_code: 0, signal: null };
    if (!isGitCommit(event) || isGitCommit({ ...event, exit_code: 1 })) throw new Error('git classifier');
    if (!isSuccessfulBuild({ command: 'pnpm', args: ['-C', 'web', 'build'], exit_code: 0, signal: null })) throw new Error('build classifier');
    if (typeof ScriptedTracer !== 'function' || typeof summarizeExecEvents !== 'function') throw new Error('exports');
    console.log('trace ok');`,
  '@moat/trace-native': `
    import { createRequire } from 'node:module';
    const { NativeTracer } = createRequire(import.meta.url)('@moat/trace-native');
    const tracer = new NativeTracer({ roots: [process.pid] }, () => {});
    tracer.stop(); // idempotent before start
    if (tracer.stats().events !== 0) throw new Error('stats');
    console.log('trace-native ok');`,
  '@moat/cli': '', // checked through its bin below
};

let scratch: string;
const tarballs: Record<string, string> = {};

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'moat-pack-test-'));
  const pnpm = join(await ensurePnpm(), 'pnpm');
  for (const { dir, manifest } of published) {
    const output = execFileSync(pnpm, ['pack', '--pack-destination', scratch], {
      cwd: dir,
      encoding: 'utf8',
    });
    tarballs[manifest.name] = join(scratch, basename(output.trim().split('\n').pop() ?? ''));
  }
  writeFileSync(
    join(scratch, 'package.json'),
    JSON.stringify({ name: 'scratch', private: true, type: 'module' }),
  );
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...Object.values(tarballs)],
    {
      cwd: scratch,
      stdio: 'pipe',
    },
  );
}, 180_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('published packages', () => {
  it('each has a smoke test here', () => {
    expect(Object.keys(smokeTests).sort()).toEqual(published.map(({ manifest }) => manifest.name).sort());
  });

  it.each(published.map(({ manifest }) => manifest.name))(
    '%s ships built code, types and a README, no tests',
    (name) => {
      const listing = execFileSync('tar', ['-tzf', tarballs[name] ?? ''], { encoding: 'utf8' }).split('\n');
      expect(listing).toContain('package/README.md');
      // A napi-rs addon ships the binary built for this machine beside its loader.
      if (name === '@moat/trace-native')
        expect(listing.some((f) => /^package\/dist\/[^/]+\.node$/.test(f))).toBe(true);
      expect(listing.some((file) => /^package\/dist\/.*\.js$/.test(file))).toBe(true);
      expect(listing.filter((file) => /\.test\.|\/src\//.test(file))).toEqual([]);
      if (name !== '@moat/cli') expect(listing).toContain('package/dist/index.d.ts');
    },
  );

  it.each(Object.entries(smokeTests).filter(([, code]) => code))('%s imports and works', (name, code) => {
    const file = join(scratch, `${name.replace('@moat/', '')}.smoke.mjs`);
    writeFileSync(file, code);
    const result = spawnSync(process.execPath, [file], { cwd: scratch, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${name.replace('@moat/', '')} ok\n`);
  });

  it('the types resolve through the exports maps under NodeNext', () => {
    writeFileSync(
      join(scratch, 'types.ts'),
      `import { loadConfig, type MoatConfig } from '@moat/config';
       import { RunStore, type RunRecord } from '@moat/storage';
       import { SnapshotEngine, type SnapshotRecord } from '@moat/snapshot';
       import { createTracer, type ExecEvent } from '@moat/trace';
       const events: ExecEvent[] = [];
       const tracing: typeof createTracer = createTracer;
       const open: typeof SnapshotEngine.open = SnapshotEngine.open;
       const record: SnapshotRecord | undefined = undefined;
       const config: Promise<MoatConfig> = loadConfig('.').then((loaded) => loaded.config);
       const runs: Promise<RunRecord[]> = new RunStore('.').list().then((listed) => listed.runs);
       export { config, events, open, record, runs, tracing };\n`,
    );
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = spawnSync(
      process.execPath,
      [
        tsc,
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--types',
        'node',
        '--typeRoots',
        join(repoRoot, 'tools', 'node_modules', '@types'),
        'types.ts',
      ],
      { cwd: scratch, encoding: 'utf8' },
    );
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('@moat/cli installs a working `moat` bin', () => {
    const result = spawnSync(join(scratch, 'node_modules', '.bin', 'moat'), ['runs', '--json'], {
      cwd: scratch,
      encoding: 'utf8',
      env: { ...process.env, MOAT_HOME: join(scratch, 'empty-home') },
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('[]\n');
  });
});
