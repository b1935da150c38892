import { readFile, stat } from 'node:fs/promises';
import { deserialize, serialize } from 'node:v8';
import { writeFileAtomic } from '@moat/storage';
import type { ScanNode } from '../scan/types.js';
import type { BlobHash } from '../store/types.js';
import type { TreeEntry } from './tree-object.js';

const FORMAT = 1;

/** What a file looked like when its content was hashed. */
interface CachedFile {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  hash: BlobHash;
  /** The number of the last scan that kept this entry (a stamp, not a copy: scans of 28k files stay cheap). */
  keptByScan?: number;
}

/**
 * Remembers the content hash of every file by its stat tuple, so that a file whose size, mtime, ctime
 * and inode are unchanged is neither read nor hashed again (git's index does the same).
 *
 * Racy files, as git calls them: a file modified twice within one filesystem timestamp tick looks
 * unchanged to stat. So an entry whose mtime is not older than the moment the cache was written
 * (the cache file's own mtime, from the same filesystem clock) is not trusted, and is hashed again.
 *
 * A cache hit is trusted to name a blob that is in the store, so only snapshots that stored their blobs
 * save the cache, and garbage collection bumps the store's generation: a cache written before the last
 * collection is reloaded (the collector pruned it) or dropped.
 *
 * The cache is only an accelerator: a missing or unreadable cache file means an empty cache.
 */
export class StatCache {
  readonly #file: string;
  #entries: Map<string, CachedFile>;
  /** The current scan's number, and how many cached entries it kept (see reuse). */
  #scan = 1;
  #keptCount = 0;
  /** Files hashed by the current scan, kept apart until save(): a failed scan must leave no trace. */
  #recorded = new Map<string, CachedFile>();
  /**
   * Each directory's entries and tree hash from the previous scan, and the current scan's: an
   * unchanged directory (most of them) reuses its hash instead of encoding and hashing its tree again.
   * In memory only; rotating the two maps at every scan bounds them by the tree's size.
   */
  #dirTrees = new Map<string, { entries: TreeEntry[]; hash: BlobHash }>();
  #nextDirTrees = new Map<string, { entries: TreeEntry[]; hash: BlobHash }>();
  /** Tree objects known to be in the store, so unchanged directories cost no store lookup. */
  #trees: Set<BlobHash>;
  #nextTrees = new Set<BlobHash>();
  /** Whether the current scan hashed a file or met a new tree, i.e. whether save() has news. */
  #changed = false;
  /** Filesystem time at which the entries were last written; entries at or after it are racy. */
  #writtenAtMs: number;
  /** The store generation (see the class comment) the entries are valid for. */
  generation: number;

  private constructor(
    file: string,
    entries: Map<string, CachedFile>,
    trees: Set<BlobHash>,
    writtenAtMs: number,
    generation: number,
  ) {
    this.#file = file;
    this.#entries = entries;
    this.#trees = trees;
    this.#writtenAtMs = writtenAtMs;
    this.generation = generation;
  }

  /** A cache that knows nothing and is never saved: for trees that are not the workspace (an import). */
  static empty(): StatCache {
    return new StatCache('', new Map(), new Set(), 0, -1);
  }

  /** The cache file's content if it was written for store generation `generation`, else an empty cache. */
  static async load(file: string, generation: number): Promise<StatCache> {
    try {
      const [data, info] = await Promise.all([readFile(file), stat(file)]);
      const saved = deserialize(data) as SavedCache;
      if (saved.v !== FORMAT || saved.generation !== generation) throw new Error('stale');
      const entries = new Map<string, CachedFile>();
      for (const [path, size, mtimeMs, ctimeMs, ino, hash] of saved.files as [
        string,
        number,
        number,
        number,
        number,
        BlobHash,
      ][]) {
        entries.set(path, { size, mtimeMs, ctimeMs, ino, hash });
      }
      return new StatCache(file, entries, new Set(saved.trees), info.mtimeMs, generation);
    } catch {
      return new StatCache(file, new Map(), new Set(), 0, generation);
    }
  }

  /**
   * The hash of the file at `path` if its stat tuple is unchanged and not racy; the entry is then kept
   * for the next save(). On a miss the caller hashes the file and record()s it.
   */
  reuse(path: string, node: ScanNode): BlobHash | undefined {
    const cached = this.#entries.get(path);
    if (
      cached === undefined ||
      cached.size !== node.size ||
      cached.mtimeMs !== node.mtimeMs ||
      cached.ctimeMs !== node.ctimeMs ||
      cached.ino !== node.ino ||
      cached.mtimeMs >= this.#writtenAtMs
    ) {
      return undefined;
    }
    if (cached.keptByScan !== this.#scan) {
      cached.keptByScan = this.#scan;
      this.#keptCount++;
    }
    return cached.hash;
  }

  /** Records a file hashed in the current scan; only kept or recorded paths survive the next save(). */
  record(path: string, node: ScanNode, hash: BlobHash): void {
    this.#changed = true;
    this.#recorded.set(path, {
      size: node.size,
      mtimeMs: node.mtimeMs,
      ctimeMs: node.ctimeMs,
      ino: node.ino,
      hash,
    });
  }

  /** The tree hash of directory `dirPath` if its entries equal the previous scan's, else undefined. */
  knownTree(dirPath: string, entries: readonly TreeEntry[]): BlobHash | undefined {
    const previous = this.#dirTrees.get(dirPath);
    return previous && sameEntries(previous.entries, entries) ? previous.hash : undefined;
  }

  rememberTree(dirPath: string, entries: TreeEntry[], hash: BlobHash): void {
    this.#nextDirTrees.set(dirPath, { entries, hash });
  }

  hasTree(hash: BlobHash): boolean {
    return this.#trees.has(hash);
  }

  recordTree(hash: BlobHash): void {
    if (!this.#trees.has(hash)) this.#changed = true;
    this.#nextTrees.add(hash);
  }

  /** Forgets what the last scan recorded (a failed snapshot must not leave half its entries). */
  discardScan(): void {
    this.#endScan();
  }

  #endScan(): void {
    this.#scan++;
    this.#keptCount = 0;
    this.#recorded = new Map();
    this.#nextTrees = new Set();
    this.#changed = false;
    this.#dirTrees = this.#nextDirTrees;
    this.#nextDirTrees = new Map();
  }

  /** Replaces the cache with what the last scan recorded, whose blobs and trees are now stored. */
  async save(): Promise<void> {
    if (this.#file === '') return;
    // Nothing hashed and nothing gone: the file on disk already says all this (and rewriting it would
    // cost more than the rest of a no-change snapshot).
    if (this.#changed || this.#keptCount !== this.#entries.size) {
      const next = new Map<string, CachedFile>();
      for (const [path, cached] of this.#entries)
        if (cached.keptByScan === this.#scan) next.set(path, cached);
      for (const [path, cached] of this.#recorded) next.set(path, cached);
      await this.#write(next, new Set([...this.#trees, ...this.#nextTrees]));
    }
    this.#endScan();
  }

  /** After garbage collection: keeps only entries whose blobs survived, under the new generation. */
  async retain(live: ReadonlySet<BlobHash>, generation: number): Promise<void> {
    this.generation = generation;
    // Rewriting moves the racy boundary to now, so entries that are racy now must go, not become trusted.
    const entries = new Map(
      [...this.#entries].filter(([, cached]) => live.has(cached.hash) && cached.mtimeMs < this.#writtenAtMs),
    );
    await this.#write(entries, new Set([...this.#trees].filter((hash) => live.has(hash))));
  }

  async #write(entries: Map<string, CachedFile>, trees: Set<BlobHash>): Promise<void> {
    const files = [...entries].map(([path, c]) => [path, c.size, c.mtimeMs, c.ctimeMs, c.ino, c.hash]);
    const saved: SavedCache = { v: FORMAT, generation: this.generation, files, trees: [...trees] };
    await writeFileAtomic(this.#file, serialize(saved));
    this.#entries = entries;
    this.#trees = trees;
    this.#writtenAtMs = (await stat(this.#file)).mtimeMs;
  }
}

interface SavedCache {
  v: number;
  generation: number;
  files: (string | number)[][];
  trees: BlobHash[];
}

function sameEntries(a: readonly TreeEntry[], b: readonly TreeEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as TreeEntry;
    const y = b[i] as TreeEntry;
    if (
      x.name !== y.name ||
      x.type !== y.type ||
      x.mode !== y.mode ||
      x.size !== y.size ||
      x.mtimeUs !== y.mtimeUs ||
      x.ref !== y.ref
    ) {
      return false;
    }
  }
  return true;
}
