import { rm } from 'node:fs/promises';
import { PackBlobWriter } from './blob-writer.js';
import { BlobChangedError, reasonOf, SnapshotStoreError } from './errors.js';
import { syncDir } from '@moat/storage';
import { fileSize } from './fs-util.js';
import { planGc } from './gc-plan.js';
import { sweepGarbage } from './garbage.js';
import { FrameCursor, FrameError, PackReader } from './pack-reader.js';
import type { LoadedPack, StoreIndex } from './store-index.js';
import type { StoreLayout } from './store-layout.js';
import type { BlobHash, GcOptions, GcResult } from './types.js';

/**
 * Mark-and-sweep over packs, given the blobs still referenced (`live`): deletes packs with no live
 * blob, rewrites packs that are mostly dead and merges many small packs (live blobs are copied, and
 * checked, into one new pack, which is durable before any old pack is deleted), and removes what
 * crashed writers left behind. The caller must hold the store's lock().
 */
export async function collectGarbage(
  layout: StoreLayout,
  index: StoreIndex,
  live: ReadonlySet<BlobHash>,
  options: GcOptions = {},
): Promise<GcResult> {
  await index.refresh({ recheck: true });
  const plan = planGc(index.packs, live);
  // Indexes whose pack file is gone or short go once they list no live blob (until then verify reports them).
  const abandoned = index.damaged.filter(
    (damaged) => damaged.index?.blobs.some((blob) => live.has(blob.hash)) === false,
  );
  const swept = await sweepGarbage(layout, { dryRun: options.dryRun ?? false });
  if (options.dryRun) {
    let abandonedBytes = 0;
    for (const { id } of abandoned) abandonedBytes += await packBytes(layout, id);
    return {
      removedBlobs: plan.droppedBlobs,
      freedBytes: plan.estimatedFreedBytes + abandonedBytes + swept.bytes,
    };
  }

  const written = plan.repack.length > 0 ? await copyLiveBlobs(layout, plan.repack, plan.keep, live) : 0;
  let deleted = 0;
  for (const { id } of [...plan.remove, ...plan.repack, ...abandoned])
    deleted += await removePack(layout, id);
  if (deleted > 0) await syncDir(layout.packsDir);
  await index.refresh();
  return { removedBlobs: plan.droppedBlobs, freedBytes: deleted + swept.bytes - written };
}

/** Size on disk of a pack's index and pack file, whichever exist. */
async function packBytes(layout: StoreLayout, id: string): Promise<number> {
  return ((await fileSize(layout.indexFile(id))) ?? 0) + ((await fileSize(layout.packFile(id))) ?? 0);
}

/** Deletes a pack's index, then its pack file (a crash in between leaves garbage, never an index without pack). */
async function removePack(layout: StoreLayout, id: string): Promise<number> {
  let freed = 0;
  for (const file of [layout.indexFile(id), layout.packFile(id)]) {
    freed += (await fileSize(file)) ?? 0;
    await rm(file, { force: true });
  }
  return freed;
}

/** Copies the live blobs of `sources` into one new pack; returns its size on disk. */
async function copyLiveBlobs(
  layout: StoreLayout,
  sources: readonly LoadedPack[],
  keep: readonly LoadedPack[],
  live: ReadonlySet<BlobHash>,
): Promise<number> {
  const kept = new Set(keep.flatMap((pack) => pack.index.blobs.map((blob) => blob.hash)));
  const writer = new PackBlobWriter({
    layout,
    isStored: async (hash) => kept.has(hash),
    onCommitted: () => {},
  });
  try {
    for (const pack of sources) {
      const blobs = pack.index.blobs
        .filter((blob) => live.has(blob.hash))
        .sort((a, b) => a.raw_offset - b.raw_offset);
      const reader = await PackReader.open(layout, pack);
      try {
        const cursor = new FrameCursor(reader, blobs);
        for (const blob of blobs) {
          // addStream re-hashes what it copies: a damaged blob stops gc before anything is deleted.
          await writer.addStream(blob.hash, blob.size, cursor.blobChunks(blob)).catch((error: unknown) => {
            if (!(error instanceof FrameError || error instanceof BlobChangedError)) throw error;
            throw new SnapshotStoreError(
              'corrupt',
              `gc stopped before deleting anything: live blob ${blob.hash} in pack ${pack.id} cannot be read (${reasonOf(error)}); run verify`,
              { cause: error },
            );
          });
        }
      } finally {
        await reader.close();
      }
    }
    return (await writer.commit()).storedBytes;
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
