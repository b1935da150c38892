// One archive operation of @moat/snapshot in a process of its own:
//   node moat-archive.mjs create WORKSPACE OUT.tar.gz LIST   (LIST: NUL-separated relative paths)
//   node moat-archive.mjs extract ARCHIVE.tar.gz EMPTY-DIR
// and the archive backend through the engine (STATE: a directory for its store and snapshot list):
//   node moat-archive.mjs snapshot WORKSPACE STATE SET       prints the new snapshot's id
//   node moat-archive.mjs restore-to WORKSPACE STATE SET ID EMPTY-DIR
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MOAT_ENTRY, moatSettings } from '../snapshot/common.mjs';

const { extractArchive, SnapshotEngine, writeArchive } = await import(MOAT_ENTRY);
const [mode, from, to, list, id, into] = process.argv.slice(2);
const NO_LIMITS = { max_files: 10_000_000, max_total_bytes: 1024 ** 4, max_file_bytes: 1024 ** 3 };
if (mode === 'create') {
  const paths = readFileSync(list, 'utf8').split('\0').filter(Boolean);
  await writeArchive(from, to, { paths });
} else if (mode === 'extract') {
  await extractArchive(from, to, NO_LIMITS);
} else if (mode === 'snapshot' || mode === 'restore-to') {
  const engine = await SnapshotEngine.open({
    workspace: from,
    snapshotsDir: join(to, 'snapshots'),
    storeDir: join(to, 'store'),
    settings: { ...moatSettings(list), backend: 'archive' },
  });
  if (mode === 'snapshot') console.log((await engine.create('manual')).id);
  else await engine.restoreTo(id, into);
} else {
  throw new Error(`unknown mode ${mode}`);
}
