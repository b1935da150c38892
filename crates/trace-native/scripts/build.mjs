// @ts-check
// `npm run build`: builds the addon with the local napi CLI into dist/ (the .node file, its loader
// index.js and index.d.ts: build outputs, never edited). The addon is optional: without cargo
// the build is skipped (exit 0) and @moat/trace falls back to /proc polling.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cargo = spawnSync('cargo', ['--version'], { stdio: 'ignore' });
if (cargo.error || cargo.status !== 0) {
  process.stdout.write('trace-native: skipped: cargo not found; moat falls back to /proc polling\n');
  process.exit(0);
}
const napi = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'napi.cmd' : 'napi');
const build = spawnSync(
  napi,
  ['build', '--platform', '--release', '--output-dir', 'dist', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (build.error) {
  process.stderr.write(`trace-native: cannot run ${napi}: ${build.error.message}\n`);
  process.exit(1);
}
process.exit(build.status ?? 1);
