// Takes the lock, says so, and holds it until killed.
import { acquireLock } from '@moat/storage';

await acquireLock(process.argv[2]);
process.stdout.write('locked\n');
setInterval(() => {}, 60_000);
