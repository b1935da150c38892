// Starts a restore and freezes it halfway, so that the test can kill -9 this process at a known
// point of the restore. Imports the built package: run after `tsc -p tsconfig.build.json`.
import { SnapshotEngine } from '../../dist/index.js';

const [options, snapshotId] = [JSON.parse(process.argv[2]), process.argv[3]];
const engine = await SnapshotEngine.open(options);
await engine.restore(snapshotId, (phase, done, total) => {
  if (phase !== 'restore' || done !== Math.floor(total / 2)) return;
  process.stdout.write('halfway\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
});
