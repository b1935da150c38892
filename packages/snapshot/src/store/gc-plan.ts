import { rawStreamSize } from './pack-index.js';
import type { LoadedPack } from './store-index.js';
import type { BlobHash } from './types.js';

/** A pack with more dead raw bytes than this fraction is rewritten with its live blobs only. */
const REPACK_DEAD_FRACTION = 0.25;
/** Packs below this size are "small"; more than MAX_SMALL_PACKS of them are merged into one. */
const SMALL_PACK_BYTES = 4 * 1024 * 1024;
export const MAX_SMALL_PACKS = 32;

export interface GcPlan {
  /** Packs holding no live blob: deleted. */
  remove: LoadedPack[];
  /** Packs whose live blobs are copied into one new pack before they are deleted. */
  repack: LoadedPack[];
  keep: LoadedPack[];
  /** Distinct blobs the store no longer holds once the plan is carried out. */
  droppedBlobs: number;
  /** Estimated bytes freed by removing and repacking packs (their files, less what repacking rewrites). */
  estimatedFreedBytes: number;
}

/** Decides, from the indexes alone, what gc does with each pack. Pure. */
export function planGc(packs: readonly LoadedPack[], live: ReadonlySet<BlobHash>): GcPlan {
  const plan: GcPlan = { remove: [], repack: [], keep: [], droppedBlobs: 0, estimatedFreedBytes: 0 };
  const liveFraction = new Map<LoadedPack, number>();
  for (const pack of packs) {
    const rawSize = rawStreamSize(pack.index);
    const liveBytes = pack.index.blobs.reduce((sum, blob) => sum + (live.has(blob.hash) ? blob.size : 0), 0);
    const hasLive = pack.index.blobs.some((blob) => live.has(blob.hash));
    liveFraction.set(pack, rawSize === 0 ? 1 : liveBytes / rawSize);
    if (!hasLive) plan.remove.push(pack);
    else if (rawSize - liveBytes > REPACK_DEAD_FRACTION * rawSize) plan.repack.push(pack);
    else plan.keep.push(pack);
  }
  const small = plan.keep.filter((pack) => pack.index.pack_size < SMALL_PACK_BYTES);
  if (small.length > MAX_SMALL_PACKS) {
    plan.keep = plan.keep.filter((pack) => !small.includes(pack));
    plan.repack.push(...small);
  }

  const kept = new Set<BlobHash>();
  for (const pack of plan.keep) for (const blob of pack.index.blobs) kept.add(blob.hash);
  for (const pack of plan.repack)
    for (const blob of pack.index.blobs) if (live.has(blob.hash)) kept.add(blob.hash);
  const dropped = new Set<BlobHash>();
  for (const pack of [...plan.remove, ...plan.repack]) {
    for (const blob of pack.index.blobs) if (!kept.has(blob.hash)) dropped.add(blob.hash);
  }
  plan.droppedBlobs = dropped.size;
  for (const pack of plan.remove) plan.estimatedFreedBytes += pack.index.pack_size + pack.indexBytes;
  for (const pack of plan.repack) {
    plan.estimatedFreedBytes += Math.round(pack.index.pack_size * (1 - (liveFraction.get(pack) ?? 1)));
  }
  return plan;
}
