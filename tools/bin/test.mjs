// @ts-check
// `npm test`: the whole suite from a fresh clone. Installs what is missing, then lets turbo build,
// typecheck, lint and test every package (cached when unchanged), and ends with one summary line
// counted from every package's vitest report.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureInstalled, runScript, runTurbo } from '../launcher/bootstrap.mjs';
import { workspacePackageDirs } from '../launcher/workspace.mjs';

const reports = workspacePackageDirs().map((dir) => join(dir, 'reports', 'vitest.json'));
// Only this run's reports may be counted: turbo writes them anew or restores them from its cache.
for (const report of reports) rmSync(report, { force: true });

let suiteFailed = false;
await runScript(async () => {
  await ensureInstalled();
  await runTurbo(['run', 'build', 'typecheck', 'lint', 'test', '--continue', ...process.argv.slice(2)]).catch(
    (error) => {
      suiteFailed = true;
      process.stderr.write(`moat: ${error.message}\n`);
    },
  );
});

const totals = { passed: 0, failed: 0, skipped: 0 };
for (const report of reports.filter((path) => existsSync(path))) {
  const result = JSON.parse(readFileSync(report, 'utf8'));
  totals.passed += result.numPassedTests;
  totals.failed += result.numFailedTests;
  totals.skipped += result.numPendingTests + result.numTodoTests;
}
process.stdout.write(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(suiteFailed || totals.failed > 0 ? 1 : 0);
