// A second process keeping a run's store busy: edits a file and takes a snapshot, again and again,
// until the stop file exists. Imports the built CLI's run context (MOAT_HOME from the environment).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openEngine, openRun } from '../../dist/run-context/run-context.js';

const [runId, stopFile] = process.argv.slice(2);
const engine = await openEngine(await openRun(runId));
for (let i = 0; !existsSync(stopFile); i++) {
  writeFileSync(join(engine.workspace, 'loop.txt'), `loop ${i}\n`.repeat(100 + i));
  await engine.create('manual', `loop ${i}`);
  await new Promise((resolve) => setTimeout(resolve, 20));
}
