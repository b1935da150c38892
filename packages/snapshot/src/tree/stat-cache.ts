import { readFile, stat } from 'node:fs/promises';
import { deserialize, serialize } from 'node:v8';
import { writeFileAtomic } from '@moat/storage';
import type { BlobHash } from '../store/types.js';
import type { TreeEntry } from './tree-object.js';

const FORMAT = 2;
/** Numbers kept per file: size, mtimeMs, ctimeMs, ino (the stat tuple), then mtimeUs. */
const FIELDS = 5;
const HASH_HEX = 64;

/** What a file looked like when its content was hashed. */
export interface FileStat {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  /** The exact mtime in whole microseconds: what a snapshot records. */
  mtimeUs: number;
}

/** What the cache knows of an unchanged file. */
export interface CachedContent {
  hash: BlobHash;
  mtimeUs: number;
}

type CachedFile = FileStat & CachedContent;

/**
 * Remembers the content hash of every file by its stat tuple, so that a file whose size, mtime, ctime
 * and inode are unchanged is neither read nor hashed again (git's index does the same). Such a file is
 * unchanged altogether: its mtime to the microsecond is the cached one too, which spares the scan a
 * nanosecond lstat of every file.
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
  #files: CachedFiles;
  /** Which cached files the current scan kept (see reuse), and how many. */
  #kept: Uint8Array;
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
    files: CachedFiles,
    trees: Set<BlobHash>,
    writtenAtMs: number,
    generation: number,
  ) {
    this.#file = file;
    this.#files = files;
    this.#kept = new Uint8Array(files.count);
    this.#trees = trees;
    this.#writtenAtMs = writtenAtMs;
    this.generation = generation;
  }

  /** A cache that knows nothing and is never saved: for trees that are not the workspace (an import). */
  static empty(): StatCache {
    return new StatCache('', CachedFiles.EMPTY, new Set(), 0, -1);
  }

  /** The cache file's content if it was written for store generation `generation`, else an empty cache. */
  static async load(file: string, generation: number): Promise<StatCache> {
    try {
      const [data, info] = await Promise.all([readFile(file), stat(file)]);
      const saved = deserialize(data) as SavedCache;
      if (saved.v !== FORMAT || saved.generation !== generation) throw new Error('stale');
      const files = CachedFiles.fromSaved(saved);
      const trees = new Set(hexHashes(saved.trees));
      return new StatCache(file, files, trees, info.mtimeMs, generation);
    } catch {
      return new StatCache(file, CachedFiles.EMPTY, new Set(), 0, generation);
    }
  }

  /**
   * What the cache knows of the file at `path` if its stat tuple is unchanged and not racy; the entry
   * is then kept for the next save(). On a miss the caller hashes the file and record()s it.
   */
  reuse(path: string, stat: Omit<FileStat, 'mtimeUs'>): CachedContent | undefined {
    const files = this.#files;
    const row = files.rows.get(path);
    if (row === undefined) return undefined;
    const at = row * FIELDS;
    const numbers = files.numbers;
    if (
      numbers[at] !== stat.size ||
      numbers[at + 1] !== stat.mtimeMs ||
      numbers[at + 2] !== stat.ctimeMs ||
      numbers[at + 3] !== stat.ino ||
      stat.mtimeMs >= this.#writtenAtMs // the same as the cached mtime, which is racy
    ) {
      return undefined;
    }
    if (this.#kept[row] === 0) {
      this.#kept[row] = 1;
      this.#keptCount++;
    }
    return { hash: files.hash(row), mtimeUs: numbers[at + 4] as number };
  }

  /** Records a file hashed in the current scan; only kept or recorded paths survive the next save(). */
  record(path: string, stat: FileStat, hash: BlobHash): void {
    this.#changed = true;
    const { size, mtimeMs, ctimeMs, ino, mtimeUs } = stat;
    this.#recorded.set(path, { size, mtimeMs, ctimeMs, ino, mtimeUs, hash });
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
    this.#kept = new Uint8Array(this.#files.count);
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
    if (this.#changed || this.#keptCount !== this.#files.count) {
      const next = new Map(this.#files.select((row) => this.#kept[row] === 1));
      for (const [path, file] of this.#recorded) next.set(path, file);
      await this.#write(CachedFiles.from([...next]), new Set([...this.#trees, ...this.#nextTrees]));
    }
    this.#endScan();
  }

  /** After garbage collection: keeps only entries whose blobs survived, under the new generation. */
  async retain(live: ReadonlySet<BlobHash>, generation: number): Promise<void> {
    this.generation = generation;
    // Rewriting moves the racy boundary to now, so entries that are racy now must go, not become trusted.
    const files = this.#files;
    const surviving = files.select((row) => {
      const file = files.file(row);
      return live.has(file.hash) && file.mtimeMs < this.#writtenAtMs;
    });
    await this.#write(
      CachedFiles.from(surviving),
      new Set([...this.#trees].filter((hash) => live.has(hash))),
    );
    this.#kept = new Uint8Array(this.#files.count);
    this.#keptCount = 0;
  }

  async #write(files: CachedFiles, trees: Set<BlobHash>): Promise<void> {
    const saved: SavedCache = {
      v: FORMAT,
      generation: this.generation,
      paths: files.paths,
      stats: files.numbers,
      hashes: Buffer.from(files.hashes, 'hex'),
      trees: Buffer.from([...trees].join(''), 'hex'),
    };
    await writeFileAtomic(this.#file, serialize(saved));
    this.#files = files;
    this.#trees = trees;
    this.#writtenAtMs = (await stat(this.#file)).mtimeMs;
  }
}

/**
 * The cache file, v8-serialized in columns: a fresh process (`moat run` starting) looks files up in
 * it without first building an object, an array and a hash string per file.
 */
interface SavedCache {
  v: number;
  generation: number;
  paths: string[];
  /** FIELDS numbers per path. */
  stats: Float64Array;
  /** Each path's content hash, raw, 32 bytes per path. */
  hashes: Uint8Array;
  /** The hashes of tree objects known to be in the store, raw, 32 bytes each. */
  trees: Uint8Array;
}

/** Cached files in the columns of the cache file; row i is paths[i]. */
class CachedFiles {
  static readonly EMPTY = new CachedFiles([], new Float64Array(0), '');
  readonly rows = new Map<string, number>();

  private constructor(
    readonly paths: string[],
    /** FIELDS numbers per row. */
    readonly numbers: Float64Array,
    /** Every row's content hash in hex, one after another. */
    readonly hashes: string,
  ) {
    for (let row = 0; row < paths.length; row++) this.rows.set(paths[row] as string, row);
  }

  static fromSaved(saved: SavedCache): CachedFiles {
    const count = saved.paths.length;
    // The file is written atomically, so this only catches a file from elsewhere: no hash of the wrong row.
    if (saved.stats.length !== count * FIELDS || saved.hashes.length * 2 !== count * HASH_HEX) {
      throw new Error('malformed');
    }
    return new CachedFiles(saved.paths, saved.stats, hex(saved.hashes));
  }

  static from(files: readonly [string, CachedFile][]): CachedFiles {
    const numbers = new Float64Array(files.length * FIELDS);
    files.forEach(([, file], row) => {
      numbers.set([file.size, file.mtimeMs, file.ctimeMs, file.ino, file.mtimeUs], row * FIELDS);
    });
    return new CachedFiles(
      files.map(([path]) => path),
      numbers,
      files.map(([, file]) => file.hash).join(''),
    );
  }

  get count(): number {
    return this.paths.length;
  }

  hash(row: number): BlobHash {
    return this.hashes.slice(row * HASH_HEX, (row + 1) * HASH_HEX);
  }

  file(row: number): CachedFile {
    const [size, mtimeMs, ctimeMs, ino, mtimeUs] = this.numbers.subarray(row * FIELDS, (row + 1) * FIELDS);
    return { size, mtimeMs, ctimeMs, ino, mtimeUs, hash: this.hash(row) } as CachedFile;
  }

  /** The rows `keep` accepts, as entries for from(). */
  select(keep: (row: number) => boolean): [string, CachedFile][] {
    const selected: [string, CachedFile][] = [];
    for (let row = 0; row < this.count; row++)
      if (keep(row)) selected.push([this.paths[row] as string, this.file(row)]);
    return selected;
  }
}

function hex(raw: Uint8Array): string {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex');
}

/** Hex hashes of raw 32-byte ones laid end to end. */
function hexHashes(raw: Uint8Array): BlobHash[] {
  const all = hex(raw);
  const hashes: BlobHash[] = [];
  for (let at = 0; at < all.length; at += HASH_HEX) hashes.push(all.slice(at, at + HASH_HEX));
  return hashes;
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
