// Appends `count` records {writer, seq, pad} to a JSONL file, with `delayMs` between them (0: none).
// Padding of varying length makes some lines long, so interleaving writes would show. With a
// `goFile`, it prints "ready" once the file is open and starts appending when `goFile` exists, so
// that several copies really append at the same time.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { JsonlWriter } from '@moat/storage';

const [path, writer, count, delayMs, goFile] = process.argv.slice(2);
const log = await JsonlWriter.open(path);
if (goFile) {
  process.stdout.write('ready\n');
  while (!existsSync(goFile)) await sleep(5);
}
for (let seq = 0; seq < Number(count); seq++) {
  await log.append({ writer, seq, pad: 'x'.repeat((seq * 997) % 5000) });
  if (Number(delayMs) > 0) await sleep(Number(delayMs));
}
await log.close();
