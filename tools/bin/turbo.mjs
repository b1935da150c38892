// @ts-check
// `npm run build|typecheck|lint` → turbo, after making sure dependencies are installed.
import { ensureInstalled, runScript, runTurbo } from '../launcher/bootstrap.mjs';

await runScript(async () => {
  await ensureInstalled();
  await runTurbo(process.argv.slice(2));
});
