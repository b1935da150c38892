import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { tempDir, writeTree } from '../test-support/workspace.js';
import { watchWorkspace } from './workspace-watcher.js';

const COVERAGE = { ignoreGitignore: false, additional: ['*.tmp'] };

/** Watches a workspace; `changes()` counts the reports, `settle()` lets pending events arrive. */
function watched(root: string, minIntervalMs = 0) {
  let count = 0;
  const watch = watchWorkspace(root, COVERAGE, { onChange: () => count++, minIntervalMs });
  onTestFinished(() => watch.close());
  return {
    watch,
    changes: () => count,
    async until(expected: number, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (count < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return count;
    },
  };
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

function workspace(): string {
  const root = tempDir();
  writeTree(root, {
    '.gitignore': 'node_modules/\nserver.log\n',
    'src/app.ts': 'export {};\n',
    'src/deep/er/util.ts': 'export {};\n',
    'node_modules/dep/index.js': '',
    '.git/HEAD': 'ref: refs/heads/main\n',
  });
  return root;
}

describe('watchWorkspace', () => {
  it('reports a change to a covered file, at any depth', async () => {
    const root = workspace();
    const w = watched(root);
    writeFileSync(join(root, 'src/deep/er/util.ts'), 'export const x = 1;\n');
    expect(await w.until(1)).toBeGreaterThanOrEqual(1);
  });

  it('ignores what snapshots do not cover: .gitignore, exclude patterns, .git', async () => {
    const root = workspace();
    const w = watched(root);
    appendFileSync(join(root, 'server.log'), 'GET /\n');
    writeFileSync(join(root, 'node_modules/dep/index.js'), 'module.exports = 1;\n');
    writeFileSync(join(root, 'src/cache.tmp'), 'x');
    writeFileSync(join(root, '.git/HEAD'), 'ref: refs/heads/other\n');
    await settle();
    expect(w.changes()).toBe(0);
  });

  it('watches directories created after it started, with their contents', async () => {
    const root = workspace();
    const w = watched(root);
    mkdirSync(join(root, 'pkg/a/b'), { recursive: true });
    expect(await w.until(1)).toBeGreaterThanOrEqual(1);
    await settle();
    const before = w.changes();
    // The new directories get their watches asynchronously, after the event that showed them: a
    // write before that is not seen, so write until one is (a directory never watched fails here).
    const deadline = Date.now() + 5000;
    for (let i = 0; w.changes() === before && Date.now() < deadline; i++) {
      writeFileSync(join(root, 'pkg/a/b/new.ts'), `export const n = ${i};\n`);
      await w.until(before + 1, 100);
    }
    expect(w.changes()).toBeGreaterThan(before);
  });

  it('reports at most once per interval, and nothing after close', async () => {
    const root = workspace();
    const w = watched(root, 60_000);
    for (let i = 0; i < 20; i++) writeFileSync(join(root, `src/file${i}.ts`), `${i}\n`);
    await w.until(1);
    await settle();
    expect(w.changes()).toBe(1);

    const quiet = watched(root);
    quiet.watch.close();
    writeFileSync(join(root, 'src/app.ts'), 'changed\n');
    await settle();
    expect(quiet.changes()).toBe(0);
  });
});
