// Takes N snapshots of a workspace, editing a file of its own before each: one of several processes
// sharing a store in the concurrency test. Imports the built package.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnapshotEngine } from '../../dist/index.js';

const [options, name, count] = [JSON.parse(process.argv[2]), process.argv[3], Number(process.argv[4])];
const engine = await SnapshotEngine.open(options);
for (let i = 0; i < count; i++) {
  writeFileSync(join(options.workspace, `${name}.txt`), `${name} ${i}\n`.repeat(100 + i));
  await engine.create('manual', `${name} ${i}`);
  if (i % 3 === 2) await engine.prune({ keep: 2 }); // deletes and collects garbage meanwhile
}
