import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// Tests with real child processes run scripts (src/test-support/*.mjs) that import the built package,
// because Node 20 cannot run TypeScript. Turbo builds before it tests; a bare `vitest run` after an
// edit would test an old dist, so build here whenever dist is missing or older than src (about 1 s).
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const srcDir = join(packageRoot, 'src');

function distIsStale(dir: string): boolean {
  return readdirSync(dir, { withFileTypes: true }).some((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name !== 'test-support' && distIsStale(path);
    if (!entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) return false;
    const built = join(packageRoot, 'dist', relative(srcDir, path).replace(/\.ts$/, '.js'));
    return (statSync(built, { throwIfNoEntry: false })?.mtimeMs ?? 0) < statSync(path).mtimeMs;
  });
}

export default function buildIfStale(): void {
  if (!distIsStale(srcDir)) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: packageRoot, stdio: 'inherit' });
}
