// @ts-check
// `node scripts/cargo.mjs ARGS…`: runs `cargo ARGS…` in the crate. The addon is optional, so on a machine
// without Rust this says so and succeeds; in CI (CI set) Rust is required and its absence fails.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const result = spawnSync('cargo', args, { cwd: root, stdio: 'inherit' });
if (result.error && /** @type {NodeJS.ErrnoException} */ (result.error).code === 'ENOENT') {
  if (process.env.CI) {
    process.stderr.write(
      `trace-native: cargo not found; CI must build and test the addon: install Rust stable\n`,
    );
    process.exit(1);
  }
  process.stdout.write(
    `trace-native: skipped cargo ${args[0]}: cargo not found (install Rust stable to build the addon)\n`,
  );
  process.exit(0);
}
if (result.error) throw result.error;
process.exit(result.status ?? 1);
