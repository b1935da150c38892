// One archive operation of @moat/snapshot in a process of its own, as the archive backend runs it:
//   node moat-archive.mjs create WORKSPACE OUT.tar.gz LIST   (LIST: NUL-separated relative paths)
//   node moat-archive.mjs extract ARCHIVE.tar.gz EMPTY-DIR
import { readFileSync } from 'node:fs';
import { MOAT_ENTRY } from '../snapshot/common.mjs';

const { extractArchive, writeArchive } = await import(MOAT_ENTRY);
const [mode, from, to, list] = process.argv.slice(2);
const NO_LIMITS = { max_files: 10_000_000, max_total_bytes: 1024 ** 4, max_file_bytes: 1024 ** 3 };
if (mode === 'create') {
  const paths = readFileSync(list, 'utf8').split('\0').filter(Boolean);
  await writeArchive(from, to, { paths });
} else if (mode === 'extract') {
  await extractArchive(from, to, NO_LIMITS);
} else {
  throw new Error(`unknown mode ${mode}`);
}
