import { gunzipSync } from 'node:zlib';
import { readdir, readFile, stat } from 'node:fs/promises';
import { errnoCode, reasonOf, SnapshotStoreError } from './errors.js';
import { fileSize } from './fs-util.js';
import { type BlobEntry, type PackIndexFile, parsePackIndex } from './pack-index.js';
import { isPackId, type StoreLayout } from './store-layout.js';
import type { BlobHash } from './types.js';

/** A pack whose index was read and whose pack file is complete. */
export interface LoadedPack {
  id: string;
  index: PackIndexFile;
  indexBytes: number;
}

/** A pack index that cannot be used: unreadable, or its pack file is missing or short. */
export interface DamagedPack {
  id: string;
  /** Undefined when the index itself cannot be read. */
  index: PackIndexFile | undefined;
  reason: string;
  /** How verify reports it: 'missing' when the pack file lost the blobs, 'corrupt' when the index is unreadable. */
  kind: 'missing' | 'corrupt';
}

export interface BlobLocation {
  pack: LoadedPack;
  blob: BlobEntry;
}

// A directory mtime this close to our last scan may hide a later change in the same timestamp tick.
const RACY_MTIME_MS = 1_000;

/**
 * The in-memory index of a store: hash → (pack, range), built from every .idx in packs/. Packs are
 * immutable, so a refresh only reads indexes it has not seen and forgets those that disappeared.
 * Packs with a damaged index or a missing or short pack file are left out (their blobs read as not
 * stored, so the next snapshot stores them again) and kept aside for verify.
 */
export class StoreIndex {
  readonly #layout: StoreLayout;
  readonly #packs = new Map<string, LoadedPack>();
  readonly #damaged = new Map<string, DamagedPack>();
  readonly #blobs = new Map<BlobHash, BlobLocation>();
  #loaded: Promise<void> | undefined;
  #refreshing: Promise<void> = Promise.resolve();
  #dirMtimeMs = Number.NaN;
  #scannedAtMs = 0;

  constructor(layout: StoreLayout) {
    this.#layout = layout;
  }

  /** Loads every index on first use; later calls return at once (after a failure, they try again). */
  ensureLoaded(): Promise<void> {
    this.#loaded ??= this.refresh().catch((error: unknown) => {
      this.#loaded = undefined;
      throw error;
    });
    return this.#loaded;
  }

  /**
   * Re-reads packs/: picks up packs committed by others, forgets removed ones. `recheck` also checks
   * that the pack files of loaded indexes are still complete (verify and gc must not trust memory).
   */
  refresh(options: { recheck?: boolean } = {}): Promise<void> {
    const run = this.#refreshing.then(() => this.#scan(options.recheck ?? false));
    this.#refreshing = run.catch(() => {});
    return run;
  }

  /** refresh(), skipped when packs/ has certainly not changed since the last scan. */
  async refreshIfChanged(): Promise<void> {
    await this.ensureLoaded();
    const mtimeMs = await stat(this.#layout.packsDir).then(
      (s) => s.mtimeMs,
      () => Number.NaN,
    );
    const settled = this.#dirMtimeMs < this.#scannedAtMs - RACY_MTIME_MS;
    if (mtimeMs === this.#dirMtimeMs && settled) return;
    await this.refresh();
  }

  locate(hash: BlobHash): BlobLocation | undefined {
    return this.#blobs.get(hash);
  }

  get packs(): LoadedPack[] {
    return [...this.#packs.values()];
  }

  get damaged(): DamagedPack[] {
    return [...this.#damaged.values()];
  }

  get blobCount(): number {
    return this.#blobs.size;
  }

  /** Makes a pack this process just committed visible without a rescan. */
  add(pack: LoadedPack): void {
    this.#packs.set(pack.id, pack);
    this.#indexBlobs(pack);
  }

  async #scan(recheck: boolean): Promise<void> {
    this.#scannedAtMs = Date.now();
    this.#dirMtimeMs = await stat(this.#layout.packsDir).then(
      (s) => s.mtimeMs,
      () => Number.NaN,
    );
    const ids = await listIndexIds(this.#layout.packsDir);
    let removed = false;
    for (const id of this.#packs.keys()) {
      if (!ids.has(id)) {
        this.#packs.delete(id);
        removed = true;
      }
    }
    for (const id of this.#damaged.keys()) if (!ids.has(id)) this.#damaged.delete(id);
    if (recheck) {
      for (const pack of this.#packs.values()) {
        const damage = await checkPackFile(this.#layout, pack.id, pack.index);
        if (damage === undefined) continue;
        this.#packs.delete(pack.id);
        this.#damaged.set(pack.id, damage);
        removed = true;
      }
    }
    const added: LoadedPack[] = [];
    for (const id of [...ids].sort()) {
      if (this.#packs.has(id)) continue;
      const outcome = await loadPack(this.#layout, id);
      if (outcome === undefined) continue;
      if ('reason' in outcome) {
        this.#damaged.set(id, outcome);
      } else {
        this.#damaged.delete(id);
        this.#packs.set(id, outcome);
        added.push(outcome);
      }
    }
    if (removed) {
      this.#blobs.clear();
      for (const pack of this.#packs.values()) this.#indexBlobs(pack);
    } else {
      for (const pack of added) this.#indexBlobs(pack);
    }
  }

  #indexBlobs(pack: LoadedPack): void {
    for (const blob of pack.index.blobs) {
      if (!this.#blobs.has(blob.hash)) this.#blobs.set(blob.hash, { pack, blob });
    }
  }
}

/** Ids of the packs that have an index file. */
export async function listIndexIds(packsDir: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const name of await listDir(packsDir)) {
    const id = name.endsWith('.idx') ? name.slice(0, -'.idx'.length) : '';
    if (isPackId(id)) ids.add(id);
  }
  return ids;
}

/** Names in `dir`; none when it does not exist. */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw new SnapshotStoreError('io', `cannot list ${dir} (${reasonOf(error)}); check its permissions`, {
      cause: error,
    });
  }
}

/** Reads one pack's index and checks its pack file is complete; undefined if the index vanished. */
export async function loadPack(
  layout: StoreLayout,
  id: string,
): Promise<LoadedPack | DamagedPack | undefined> {
  const indexFile = layout.indexFile(id);
  let stored: Buffer;
  try {
    stored = await readFile(indexFile);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined; // removed by gc since the listing
    return { id, index: undefined, kind: 'corrupt', reason: `cannot read ${indexFile} (${reasonOf(error)})` };
  }
  let index: PackIndexFile;
  try {
    index = parsePackIndex(gunzipSync(stored).toString('utf8'), id);
  } catch (error) {
    return {
      id,
      index: undefined,
      kind: 'corrupt',
      reason: `${indexFile} is corrupted (${reasonOf(error)})`,
    };
  }
  return (await checkPackFile(layout, id, index)) ?? { id, index, indexBytes: stored.length };
}

/** Damage of a pack file whose index is sound: missing, or shorter than its index says. */
async function checkPackFile(
  layout: StoreLayout,
  id: string,
  index: PackIndexFile,
): Promise<DamagedPack | undefined> {
  const packFile = layout.packFile(id);
  const size = await fileSize(packFile);
  if (size === undefined) return { id, index, kind: 'missing', reason: `pack file ${packFile} is missing` };
  if (size < index.pack_size) {
    return {
      id,
      index,
      kind: 'missing',
      reason: `pack file ${packFile} is short: ${size} of ${index.pack_size} bytes`,
    };
  }
  return undefined;
}
