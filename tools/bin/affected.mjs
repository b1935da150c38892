// @ts-check
// `npm run affected -- [REF] [turbo flags…]`: build, typecheck, lint and test only the packages
// changed since the git REF (default: HEAD, i.e. uncommitted changes) and the packages that depend
// on them. Everything else is not even scheduled.
import { ensureInstalled, runScript, runTurbo } from '../launcher/bootstrap.mjs';

const args = process.argv.slice(2);
const ref = args[0] && !args[0].startsWith('-') ? args.shift() : 'HEAD';
await runScript(async () => {
  await ensureInstalled();
  await runTurbo(['run', 'build', 'typecheck', 'lint', 'test', `--filter=...[${ref}]`, ...args]);
});
