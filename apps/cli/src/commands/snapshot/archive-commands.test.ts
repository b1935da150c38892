import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRun, fingerprint, moat, sandbox, writeTree } from '../../test-support/moat-cli.js';

const SNAP = /snap_[0-9a-f]{12}/;
const corpusScript = new URL('../../../../../packages/snapshot/scripts/archive-corpus.mjs', import.meta.url)
  .pathname;

async function setup() {
  const { root, home, store } = sandbox();
  const workspace = join(root, 'ws');
  writeTree(workspace, {
    'README.md': '# app\n',
    'src/index.ts': 'export const answer = 42;\n',
    '.gitignore': '*.log\n',
    'debug.log': 'ignored\n',
  });
  await createRun(store, workspace, { name: 'fix-ci' });
  const id = SNAP.exec(moat(home, 'snapshot', 'fix-ci', '--label', 'base').stdout)?.[0] ?? '';
  return { root, home, workspace, id };
}

describe('moat snapshot export and import', () => {
  it('exports a snapshot that GNU tar reads back exactly, and imports it as a snapshot of type import', async () => {
    const { root, home, workspace, id } = await setup();
    const covered = fingerprint(workspace).filter((line) => !line.startsWith('debug.log'));
    const file = join(root, 'base.tar.gz');
    const exported = moat(home, 'snapshot', 'export', 'fix-ci', id.slice(0, 9), '-o', file);
    expect(exported).toEqual({ code: 0, stdout: `Exported ${id} (4 entries) to ${file}\n`, stderr: '' });

    const byTar = join(root, 'by-tar');
    mkdirSync(byTar);
    const tar = spawnSync('tar', ['-xzf', file, '-C', byTar], { encoding: 'utf8' });
    expect(tar.stderr).toBe('');
    expect(fingerprint(byTar)).toEqual(covered);

    writeFileSync(join(workspace, 'README.md'), 'changed\n');
    const imported = moat(home, 'snapshot', 'import', 'fix-ci', file, '--label', 'from the laptop');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(
      new RegExp(`^Imported ${file} as snap_[0-9a-f]{12} \\(3 files, "from the laptop"\\)\\n$`),
    );
    const newId = SNAP.exec(imported.stdout)?.[0] ?? '';
    const list = JSON.parse(moat(home, 'snapshots', 'fix-ci', '--json').stdout) as {
      id: string;
      type: string;
    }[];
    expect(list.find((r) => r.id === newId)?.type).toBe('import');

    expect(moat(home, 'rollback', 'fix-ci', newId, '--yes').code).toBe(0);
    expect(fingerprint(workspace).filter((line) => !line.startsWith('debug.log'))).toEqual(covered);
    expect(readFileSync(join(workspace, 'README.md'), 'utf8')).toBe('# app\n');
    expect(readFileSync(join(workspace, 'debug.log'), 'utf8')).toBe('ignored\n');
  });

  it('refuses every unsafe or damaged archive of the corpus in one line, leaving no snapshot and no files behind', async () => {
    const { root, home } = await setup();
    const corpus = join(root, 'corpus');
    expect(spawnSync(process.execPath, [corpusScript, corpus]).status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(corpus, 'manifest.json'), 'utf8')) as {
      cases: { name: string; expect: string; code?: string; file: string }[];
    };
    // Over-limit archives are measured against the corpus's small limits in @moat/snapshot's own tests.
    const hostile = manifest.cases.filter((c) => c.expect === 'refuse' && c.code !== 'limit');
    expect(hostile.length).toBeGreaterThan(20);
    const before = moat(home, 'snapshots', 'fix-ci', '--json').stdout;
    for (const c of hostile) {
      const result = moat(home, 'snapshot', 'import', 'fix-ci', join(corpus, c.file));
      expect(result.code, c.name).toBe(1);
      expect(result.stdout, c.name).toBe('');
      expect(result.stderr.split('\n'), c.name).toHaveLength(2); // one line, then the final newline
      expect(result.stderr, c.name).toMatch(/^moat: cannot extract /);
    }
    expect(moat(home, 'snapshots', 'fix-ci', '--json').stdout).toBe(before);
    expect(readdirSync(join(home, 'tmp'))).toEqual([]);
    expect(existsSync(join(root, 'escaped-dotdot'))).toBe(false);
  });
});
