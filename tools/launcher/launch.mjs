// @ts-check
// Entry of the ./moat launcher: make sure the CLI is installed and built, then run it in this
// same process (no second Node start-up), with the user's arguments untouched.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CommandFailed, ensureBuilt } from './bootstrap.mjs';
import { repoRoot } from './workspace.mjs';

const cliEntry = join(repoRoot, 'apps', 'cli', 'dist', 'bin.js');

try {
  await ensureBuilt('@moat/cli', cliEntry);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`moat: setup failed: ${message}\n`);
  process.exit(error instanceof CommandFailed ? error.exitCode : 1);
}
await import(pathToFileURL(cliEntry).href);
