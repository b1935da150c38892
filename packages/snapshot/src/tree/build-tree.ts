import { createHash } from 'node:crypto';
import type { ScanNode, ScanResult } from '../scan/types.js';
import type { BlobHash } from '../store/types.js';
import {
  FileChangingError,
  hashLargeFile,
  READ_ATTEMPTS,
  readSmallFileStable,
  SMALL_FILE_BYTES,
  type StableStat,
  streamFile,
} from './read-file.js';
import type { StatCache } from './stat-cache.js';
import { encodeTree, type TreeEntry } from './tree-object.js';

/** Where blobs go: a store writer, or nowhere (a scan that only needs hashes, e.g. a diff). */
export interface BlobSink {
  add(data: Uint8Array): Promise<BlobHash>;
  /** false when the blob was already stored; throws when the chunks do not hash to `hash`. */
  addStream(hash: BlobHash, size: number, chunks: AsyncIterable<Uint8Array>): Promise<boolean>;
}

export interface BuiltTree {
  /** Hash of the root directory's tree object. */
  root: BlobHash;
  /** Every tree object of this tree by hash, decoded (diffs against a live tree read them from here). */
  trees: Map<BlobHash, TreeEntry[]>;
  /** Files whose content had to be read (not served by the stat cache). */
  filesRead: number;
}

export interface BuildOptions {
  /** Null: hash only, store nothing. */
  sink: BlobSink | null;
  /** Give the sink tree objects only: file content is kept elsewhere (a tar.gz, a btrfs snapshot). */
  treesOnly?: boolean;
  cache: StatCache;
  onFile?: () => void;
}

/**
 * Turns a scan into Merkle trees: every file's content hash (from the stat cache when its stat is
 * unchanged, else read — never torn — and stored), every directory a tree object whose hash covers its
 * entries. Equal directories get equal hashes, so unchanged subtrees cost nothing to store or diff.
 */
export async function buildTree(
  workspace: string,
  scan: ScanResult,
  options: BuildOptions,
): Promise<BuiltTree> {
  const built: BuiltTree = { root: '', trees: new Map(), filesRead: 0 };
  const newTrees: Buffer[] = [];
  built.root = await buildDir(workspace, '', scan.root, options, built, newTrees);
  // Trees are stored after all file content, so that they sit together in a few frames: walking a
  // snapshot's trees (diff, restore, gc) then decompresses those frames, not every frame of the pack.
  for (const data of newTrees) await options.sink?.add(data);
  return built;
}

async function buildDir(
  workspace: string,
  dirPath: string,
  dir: ScanNode,
  options: BuildOptions,
  built: BuiltTree,
  newTrees: Buffer[],
): Promise<BlobHash> {
  const entries: TreeEntry[] = [];
  for (const child of dir.children ?? []) {
    const path = dirPath === '' ? child.name : `${dirPath}/${child.name}`;
    if (child.type === 'dir') {
      const ref = await buildDir(workspace, path, child, options, built, newTrees);
      entries.push({
        name: child.name,
        type: 'dir',
        mode: child.mode,
        size: 0,
        mtimeUs: exactMtimeUs(child),
        ref,
      });
    } else if (child.type === 'symlink') {
      entries.push({
        name: child.name,
        type: 'symlink',
        mode: child.mode,
        size: 0,
        mtimeUs: exactMtimeUs(child),
        ref: child.target ?? '',
      });
    } else {
      // A stat cache hit (most files) is answered without awaiting anything.
      const cached = options.cache.reuse(path, child);
      const entry =
        cached === undefined
          ? await readFileEntry(workspace, path, child, options, built)
          : fileTreeEntry(child.name, child.mode, child.size, cached.mtimeUs, cached.hash);
      if (entry) entries.push(entry);
      options.onFile?.();
    }
  }
  const { cache } = options;
  let hash = cache.knownTree(dirPath, entries);
  if (hash === undefined || (options.sink && !cache.hasTree(hash))) {
    const text = encodeTree(entries);
    hash = createHash('sha256').update(text).digest('hex');
    if (options.sink && !cache.hasTree(hash)) newTrees.push(Buffer.from(text));
  }
  cache.rememberTree(dirPath, entries, hash);
  built.trees.set(hash, entries);
  cache.recordTree(hash);
  return hash;
}

function fileTreeEntry(name: string, mode: number, size: number, mtimeUs: number, hash: BlobHash): TreeEntry {
  return { name, type: 'file', mode, size, mtimeUs, ref: hash };
}

/** The scan gives directories and symlinks their mtime to the microsecond (files get theirs here). */
function exactMtimeUs(node: ScanNode): number {
  if (node.mtimeUs === undefined) throw new Error(`the scan has no exact mtime for ${node.name}`);
  return node.mtimeUs;
}

/** The entry of a file the stat cache cannot vouch for: read (never torn), stored, recorded. */
async function readFileEntry(
  workspace: string,
  path: string,
  node: ScanNode,
  options: BuildOptions,
  built: BuiltTree,
): Promise<TreeEntry | null> {
  built.filesRead++;
  const absolute = `${workspace}/${path}`;
  const sink = options.treesOnly ? null : options.sink;
  let stored: { hash: BlobHash; stat: StableStat };
  try {
    stored =
      node.size <= SMALL_FILE_BYTES ? await storeSmall(absolute, sink) : await storeLarge(absolute, sink);
  } catch (error) {
    // Deleted, or replaced by a link or a directory, since the scan: it is not in this snapshot.
    if (['ENOENT', 'ELOOP', 'EISDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return null;
    throw error;
  }
  const { hash, stat } = stored;
  // The stat that matches the content read, which may be newer than the scan's.
  options.cache.record(path, stat, hash);
  return fileTreeEntry(node.name, stat.mode, stat.size, stat.mtimeUs, hash);
}

async function storeSmall(absolute: string, sink: BlobSink | null) {
  const { data, stat } = readSmallFileStable(absolute);
  const hash = sink ? await sink.add(data) : createHash('sha256').update(data).digest('hex');
  return { hash, stat };
}

async function storeLarge(absolute: string, sink: BlobSink | null) {
  for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
    const hashed = await hashLargeFile(absolute);
    if (!hashed) continue;
    try {
      await sink?.addStream(hashed.hash, hashed.stat.size, streamFile(absolute, hashed.stat.size));
      return hashed;
    } catch (error) {
      if (!isBlobChanged(error)) throw error;
    }
  }
  throw new FileChangingError(absolute);
}

function isBlobChanged(error: unknown): boolean {
  return error instanceof Error && error.name === 'BlobChangedError';
}
