// Increments the number in a counter file `iterations` times, each a read-modify-write under the lock
// with a pause in between: without mutual exclusion, concurrent copies of this script lose updates.
// Prints "ready" and starts once `goFile` exists, so that all copies contend from the start.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { withLock } from '@moat/storage';

const [lockPath, counterPath, iterations, goFile] = process.argv.slice(2);
process.stdout.write('ready\n');
while (!existsSync(goFile)) await sleep(5);
for (let i = 0; i < Number(iterations); i++) {
  await withLock(lockPath, async () => {
    const count = Number(await readFile(counterPath, 'utf8'));
    await sleep(1);
    await writeFile(counterPath, String(count + 1));
  });
}
