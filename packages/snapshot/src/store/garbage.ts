import { lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from './errors.js';
import { listDir } from './store-index.js';
import { isPackId, type StoreLayout, TEMP_PACK_PREFIX } from './store-layout.js';

/**
 * Leftovers younger than this are left alone: they may belong to a writer that is still running
 * (whose commit would fail, never corrupt, if its temp file vanished — but it should not fail).
 */
export const GARBAGE_MIN_AGE_MS = 15 * 60 * 1000;

export interface SweepResult {
  files: number;
  bytes: number;
}

/**
 * Removes what crashed writers leave: temp packs, temp files of atomic writes, and packs without an
 * index (a crash between the pack's rename and its index). Never touches a pack that has an index,
 * even an unreadable one: verify reports those.
 */
export async function sweepGarbage(
  layout: StoreLayout,
  options: { dryRun?: boolean; minAgeMs?: number } = {},
): Promise<SweepResult> {
  const { dryRun = false, minAgeMs = GARBAGE_MIN_AGE_MS } = options;
  const candidates: string[] = [];
  const packNames = await listDir(layout.packsDir);
  const names = new Set(packNames);
  for (const name of packNames) {
    const id = name.endsWith('.pack') ? name.slice(0, -'.pack'.length) : '';
    const orphanPack = isPackId(id) && !names.has(`${id}.idx`);
    if (name.startsWith(TEMP_PACK_PREFIX) || isAtomicWriteTemp(name) || orphanPack) {
      candidates.push(join(layout.packsDir, name));
    }
  }
  for (const name of await listDir(layout.refsDir)) {
    if (isAtomicWriteTemp(name)) candidates.push(join(layout.refsDir, name));
  }

  const result: SweepResult = { files: 0, bytes: 0 };
  const now = Date.now();
  for (const file of candidates) {
    const stats = await lstat(file).catch((error: unknown) => {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw error;
    });
    if (stats === undefined || !stats.isFile() || now - stats.mtimeMs < minAgeMs) continue;
    if (!dryRun) await rm(file, { force: true });
    result.files += 1;
    result.bytes += stats.size;
  }
  return result;
}

/** Temp names of @moat/storage's writeFileAtomic: `.<name>.<random>.tmp`. */
function isAtomicWriteTemp(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}
