// Appends `count` records {writer, seq, pad} to a JSONL file, with `delayMs` between them (0: none).
// Padding of varying length makes some lines long, so interleaving writes would show. With a
// `goFile`, it prints "ready" once the file is open and starts appending when `goFile` exists; with
// `writers` too, it stops halfway until every writer has reached halfway (each creates
// `<goFile>.half.<writer>`), so that the copies really append at the same time however the machine
// schedules them.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JsonlWriter } from '@moat/storage';

const [path, writer, count, delayMs, goFile, writers] = process.argv.slice(2);
const log = await JsonlWriter.open(path);
if (goFile) {
  process.stdout.write('ready\n');
  while (!existsSync(goFile)) await sleep(5);
}
const halfway = Math.floor(Number(count) / 2);
for (let seq = 0; seq < Number(count); seq++) {
  if (writers && seq === halfway) await meetAtHalfway();
  await log.append({ writer, seq, pad: 'x'.repeat((seq * 997) % 5000) });
  if (Number(delayMs) > 0) await sleep(Number(delayMs));
}
await log.close();

async function meetAtHalfway() {
  const prefix = `${basename(goFile)}.half.`;
  writeFileSync(`${goFile}.half.${writer}`, '');
  const arrived = () => readdirSync(dirname(goFile)).filter((name) => name.startsWith(prefix)).length;
  while (arrived() < Number(writers)) await sleep(1);
}
