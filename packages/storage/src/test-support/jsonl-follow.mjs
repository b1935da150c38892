// Follows a JSONL file until the first record, then stops by `break` or by aborting the signal.
// The test checks that this process then exits by itself: nothing may be left keeping it alive.
import { followJsonl } from '@moat/storage';

const [path, how] = process.argv.slice(2);
const controller = new AbortController();
for await (const record of followJsonl(path, { signal: controller.signal, pollIntervalMs: 50 })) {
  process.stdout.write(`${JSON.stringify(record)}\n`);
  if (how === 'break') break;
  controller.abort();
}
process.stdout.write('done\n');
