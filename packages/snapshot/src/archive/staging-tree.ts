import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  futimesSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { seconds as restoreSeconds } from '../restore/apply.js';
import { MAX_PATH_BYTES } from './entry-path.js';
import { linkVerdict } from './link-target.js';
import { quote, Refusal } from './refusal.js';

const CREATE_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** Mode of a directory the archive implies (a parent of an entry) but does not list, as tar gives it. */
const IMPLIED_DIR_MODE = 0o755;

/**
 * Builds an extracted tree below `root`, an empty directory, so that nothing is ever written outside
 * it: every path is created exclusively (a file or link never replaces anything, so never a link
 * planted earlier), and an entry whose parent is a symlink (or a file) is refused, so nothing is
 * written through a link. Directories stay 0700 while the tree is built and get their own modes and
 * mtimes in finish(), deepest first, so a read-only directory does not block its own content.
 *
 * Synchronous file calls, as the scanner and restore make: a thread-pool round trip for each of
 * a small file's five calls would cost more than the work.
 */
export class StagingTree {
  readonly #root: string;
  /** Paths (as the archive spells them) known to be real directories. */
  readonly #realDirs = new Set<string>(['']);
  /** Directories to give a mode and mtime at the end. */
  readonly #dirs = new Map<string, { mode: number; mtimeUs: number | undefined }>();
  /** Regular files extracted so far, with their sizes: what a hard link may point to. */
  readonly #files = new Map<string, number>();
  readonly #symlinks: { path: string; target: string }[] = [];

  constructor(root: string) {
    this.#root = root;
  }

  addDirectory(path: string, mode: number, mtimeUs: number | undefined): void {
    this.#makeParents(path);
    if (!this.#realDirs.has(path)) {
      // Another spelling of a directory made earlier (case-insensitive file systems) is fine.
      if (lstatSync(this.#abs(path), { throwIfNoEntry: false })?.isDirectory() !== true) {
        this.#create(() => mkdirSync(this.#abs(path), 0o700));
      }
      this.#realDirs.add(path);
    }
    this.#dirs.set(path, { mode, mtimeUs });
  }

  addFile(path: string, mode: number, mtimeUs: number | undefined, size: number): FileBody {
    this.#makeParents(path);
    const fd = this.#create(() => openSync(this.#abs(path), CREATE_FILE, 0o600));
    this.#files.set(path, size);
    return new FileBody(fd, size, mode, mtimeUs);
  }

  addSymlink(path: string, target: string, mtimeUs: number | undefined): void {
    this.#makeParents(path);
    this.#checkLink(path, target, undefined);
    this.#create(() => symlinkSync(target, this.#abs(path)));
    this.#symlinks.push({ path, target });
    if (mtimeUs !== undefined) lutimesSync(this.#abs(path), seconds(mtimeUs), seconds(mtimeUs));
  }

  /** Links `path` to the file `target` extracted earlier (the same inode); returns its size. */
  addHardLink(path: string, target: string): number {
    const size = this.#files.get(target);
    if (size === undefined) {
      throw new Refusal(
        'unsafe_archive',
        `is a hard link to ${quote(target)}, which is not a file earlier in the archive`,
      );
    }
    this.#makeParents(path);
    this.#create(() => linkSync(this.#abs(target), this.#abs(path)));
    this.#files.set(path, size);
    return size;
  }

  /**
   * Checks every symlink again now that the tree is complete (a link made later can redirect one
   * made earlier), then gives directories their modes and mtimes.
   */
  finish(): void {
    for (const { path, target } of this.#symlinks) this.#checkLink(path, target, path);
    const depth = (path: string) => path.split('/').length;
    const deepestFirst = [...this.#dirs].sort(([a], [b]) => depth(b) - depth(a));
    for (const [path, { mode, mtimeUs }] of deepestFirst) {
      chmodSync(this.#abs(path), mode);
      if (mtimeUs !== undefined) utimesSync(this.#abs(path), seconds(mtimeUs), seconds(mtimeUs));
    }
  }

  /** Removes everything below the root (links are removed, never followed). */
  clear(): void {
    for (const name of readdirSync(this.#root))
      rmSync(join(this.#root, name), { recursive: true, force: true });
  }

  #abs(path: string): string {
    return join(this.#root, path);
  }

  /** Makes sure every ancestor of `path` is a real directory, creating missing ones. */
  #makeParents(path: string): void {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (this.#realDirs.has(dir)) continue;
      const stats = lstatSync(this.#abs(dir), { throwIfNoEntry: false });
      if (stats === undefined) {
        mkdirSync(this.#abs(dir), 0o700);
        this.#dirs.set(dir, { mode: IMPLIED_DIR_MODE, mtimeUs: undefined });
      } else if (stats.isSymbolicLink()) {
        throw new Refusal('unsafe_archive', `would be written through the symlink ${quote(dir)}`);
      } else if (!stats.isDirectory()) {
        throw new Refusal('unsafe_archive', `would be written below the file ${quote(dir)}`);
      }
      this.#realDirs.add(dir);
    }
  }

  /** Runs `create`; a path that exists already is refused: nothing is ever replaced. */
  #create<T>(create: () => T): T {
    try {
      return create();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      throw new Refusal('unsafe_archive', 'is in the archive twice (or as two spellings of one name)');
    }
  }

  #checkLink(path: string, target: string, entry: string | undefined): void {
    if (target === '') throw new Refusal('unsafe_archive', 'is a symlink without a target', entry);
    if (target.startsWith('/')) {
      throw new Refusal('unsafe_archive', `is a symlink to the absolute path ${quote(target)}`, entry);
    }
    const bytes = Buffer.byteLength(target);
    if (bytes > MAX_PATH_BYTES) {
      throw new Refusal(
        'unsafe_archive',
        `is a symlink with a target of ${bytes} bytes, over the limit of ${MAX_PATH_BYTES}`,
        entry,
      );
    }
    const verdict = linkVerdict(this.#root, path, target);
    if (verdict === 'outside') {
      throw new Refusal(
        'unsafe_archive',
        `is a symlink to ${quote(target)}, which leads outside the destination`,
        entry,
      );
    }
    if (verdict === 'loop') {
      throw new Refusal(
        'unsafe_archive',
        `is a symlink to ${quote(target)}, which loops or chains too deep`,
        entry,
      );
    }
  }
}

/** The content of one file being extracted, held to the size its header declared. */
export class FileBody {
  #written = 0;

  constructor(
    private readonly fd: number,
    private readonly size: number,
    private readonly mode: number,
    private readonly mtimeUs: number | undefined,
  ) {}

  write(chunk: Buffer): void {
    this.#written += chunk.length;
    if (this.#written > this.size) {
      throw new Refusal('unsafe_archive', `holds more than the ${this.size} bytes its header declares`);
    }
    for (let offset = 0; offset < chunk.length; ) offset += writeSync(this.fd, chunk, offset);
  }

  finish(): void {
    if (this.#written !== this.size) {
      throw new Refusal(
        'corrupt_archive',
        `holds ${this.#written} bytes, not the ${this.size} its header declares`,
      );
    }
    fchmodSync(this.fd, this.mode);
    if (this.mtimeUs !== undefined) futimesSync(this.fd, seconds(this.mtimeUs), seconds(this.mtimeUs));
    closeSync(this.fd);
  }

  /** Closes the file after a failure; the tree is cleared next. */
  abandon(): void {
    try {
      closeSync(this.fd);
    } catch {
      // The extraction has failed already, and the tree is cleared next.
    }
  }
}

/** Seconds for utimes: Node sets a time before 1970 to now, so those become 1970 itself. */
function seconds(mtimeUs: number): number {
  return restoreSeconds(Math.max(0, mtimeUs));
}
