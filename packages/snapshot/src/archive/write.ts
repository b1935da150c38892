import { createHash, randomBytes } from 'node:crypto';
import {
  type BigIntStats,
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
} from 'node:fs';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { syncDir } from '@moat/storage';
import { SnapshotError } from '../errors.js';
import { microsecondsOf } from '../scan/stat-time.js';
import { encodeHeader, padding } from './tar-header.js';

const READ_CHUNK = 1024 * 1024;

export interface WriteArchiveOptions {
  /**
   * The entries to archive (the caller's coverage), relative to the source directory and
   * '/'-separated; their parent directories are archived too. Default: everything below it.
   */
  paths?: readonly string[];
  /**
   * The content files must have, as hex SHA-256 by path (a caller that hashed them before, as the
   * archive backend does): a file whose content differs fails the write with SnapshotError 'changing'.
   */
  hashes?: ReadonlyMap<string, string>;
}

export interface WriteSummary {
  /** Entries written: files, directories and symlinks. */
  entries: number;
  /** Bytes of file content. */
  bytes: number;
  /** Paths left out: sockets, FIFOs, devices, and (walking) names that are not valid UTF-8. */
  skipped: string[];
}

/**
 * Writes the tree below `sourceDir` as a portable tar.gz at `file`: PAX headers where ustar falls
 * short (long or non-ASCII names, mtimes to the microsecond), entries in a fixed order (each
 * directory before its content, names by code unit), no owner fields, hard links stored as separate
 * files. Written under a temporary name beside `file`, fsynced and renamed, so `file` is either
 * complete or untouched; on any failure the temporary file is removed. A file that changes while it
 * is read fails the write with SnapshotError 'changing'.
 */
export async function writeArchive(
  sourceDir: string,
  file: string,
  options: WriteArchiveOptions = {},
): Promise<WriteSummary> {
  const summary: WriteSummary = { entries: 0, bytes: 0, skipped: [] };
  const paths = inArchiveOrder(
    options.paths === undefined ? listTree(sourceDir, '', summary.skipped) : withParents(options.paths),
  );
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | undefined = await open(temp, 'wx', 0o600);
  try {
    const output = handle;
    await pipeline(
      batched(tarBlocks(sourceDir, paths, options.hashes, summary)),
      createGzip(),
      async (gzipped: AsyncIterable<Buffer>) => {
        for await (const chunk of gzipped) await output.writeFile(chunk);
      },
    );
    await handle.sync();
    handle = undefined;
    await output.close();
    await rename(temp, file);
    await syncDir(dir);
    return summary;
  } catch (error) {
    await handle?.close().catch(() => {});
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * The tar stream: each path's header and content, then the end-of-archive marker. Synchronous file
 * calls, as the scanner makes: a thread-pool round trip per small file would cost more than the work.
 */
function* tarBlocks(
  root: string,
  paths: string[],
  hashes: ReadonlyMap<string, string> | undefined,
  summary: WriteSummary,
): Generator<Buffer> {
  const dirs = new Set(['']);
  for (const path of paths) {
    const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    // Below anything but a directory, lstat would follow a link: the tree changed under us.
    if (!dirs.has(parent)) throw changing(path, `${parent} is no longer a directory`);
    const abs = join(root, path);
    const stats = lstatSync(abs, { bigint: true, throwIfNoEntry: false });
    if (stats === undefined) throw changing(path, 'it vanished');
    const expected = hashes?.get(path);
    if (expected !== undefined && !stats.isFile()) throw changing(path, 'it is no longer a file');
    const fields = {
      path,
      mode: Number(stats.mode) & 0o7777,
      size: 0,
      mtimeUs: microsecondsOf(stats.mtimeNs),
    };
    if (stats.isDirectory()) {
      dirs.add(path);
      yield encodeHeader({ ...fields, path: `${path}/`, type: 'Directory' });
    } else if (stats.isSymbolicLink()) {
      yield encodeHeader({ ...fields, type: 'SymbolicLink', linkpath: readlinkSync(abs) });
    } else if (stats.isFile()) {
      yield encodeHeader({ ...fields, type: 'File', size: Number(stats.size) });
      yield* fileContent(abs, path, stats, expected);
      summary.bytes += Number(stats.size);
    } else {
      summary.skipped.push(path);
      continue;
    }
    summary.entries++;
  }
  yield Buffer.alloc(1024);
}

/**
 * A file's content padded to whole blocks, exactly as large as `stats` said and hashing to `expected`
 * when given, or a 'changing' error.
 */
function* fileContent(
  abs: string,
  path: string,
  stats: BigIntStats,
  expected: string | undefined,
): Generator<Buffer> {
  const size = Number(stats.size);
  const hasher = expected === undefined ? undefined : createHash('sha256');
  const fd = openSync(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    for (let offset = 0; offset < size; ) {
      const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - offset));
      const bytesRead = readSync(fd, buffer, 0, buffer.length, offset);
      if (bytesRead === 0) throw changing(path, 'it shrank while it was read');
      offset += bytesRead;
      hasher?.update(buffer.subarray(0, bytesRead));
      yield buffer.subarray(0, bytesRead);
    }
    const after = fstatSync(fd, { bigint: true });
    if (after.size !== stats.size || after.mtimeNs !== stats.mtimeNs) {
      throw changing(path, 'it changed while it was read');
    }
    if (hasher && hasher.digest('hex') !== expected) throw changing(path, 'it changed since it was hashed');
  } finally {
    closeSync(fd);
  }
  yield padding(size);
}

/** Blocks joined into chunks of about READ_CHUNK bytes: gzip makes a thread-pool round trip per write. */
function* batched(blocks: Iterable<Buffer>): Generator<Buffer> {
  let parts: Buffer[] = [];
  let size = 0;
  for (const block of blocks) {
    parts.push(block);
    size += block.length;
    if (size >= READ_CHUNK) {
      yield Buffer.concat(parts);
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield Buffer.concat(parts);
}

function changing(path: string, what: string): SnapshotError {
  return new SnapshotError('changing', `cannot archive ${path}: ${what}; try again when it is quiet`);
}

/** Every path below `root` (relative), not following symlinks; names that are not UTF-8 go to `skipped`. */
function listTree(root: string, prefix: string, skipped: string[]): string[] {
  const paths: string[] = [];
  for (const entry of readdirSync(join(root, prefix), { withFileTypes: true, encoding: 'buffer' })) {
    const name = entry.name.toString();
    const path = prefix === '' ? name : `${prefix}/${name}`;
    if (!Buffer.from(name).equals(entry.name)) {
      skipped.push(path);
      continue;
    }
    paths.push(path);
    if (entry.isDirectory()) paths.push(...listTree(root, path, skipped));
  }
  return paths;
}

/** `paths` and all their parent directories, once each; a path that could leave the source is refused. */
function withParents(paths: readonly string[]): string[] {
  const all = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/');
    if (parts.some((part) => part === '' || part === '.' || part === '..')) {
      const rule = "paths must be relative and '/'-separated, without '.', '..' or empty parts";
      throw new SnapshotError('invalid', `cannot archive ${JSON.stringify(path)}: ${rule}`);
    }
    for (let i = 1; i <= parts.length; i++) all.add(parts.slice(0, i).join('/'));
  }
  return [...all];
}

/** Depth first, each directory before its content, names by code unit ('/' sorts before any character). */
function inArchiveOrder(paths: string[]): string[] {
  const keyed = paths.map((path) => ({ path, key: path.replaceAll('/', '\0') }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map(({ path }) => path);
}
