// A second process keeping a run's store busy: edits a file and takes a snapshot through the built CLI,
// again and again, until the stop file exists (MOAT_HOME from the environment).
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const bin = new URL('../../dist/bin.js', import.meta.url).pathname;
const [runId, workspace, stopFile] = process.argv.slice(2);
for (let i = 0; !existsSync(stopFile); i++) {
  writeFileSync(join(workspace, 'loop.txt'), `loop ${i}\n`.repeat(100 + i));
  const result = spawnSync(process.execPath, [bin, 'snapshot', runId, '--label', `loop ${i}`], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`moat snapshot failed: ${result.stderr}`);
}
