import { createHash, type Hash } from 'node:crypto';
import { closeSync, fchmodSync, futimesSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeArchive } from '../archive/index.js';
import { readTar } from '../archive/read-tar.js';
import { Refusal } from '../archive/refusal.js';
import { SnapshotError } from '../errors.js';
import { seconds } from '../restore/apply.js';
import type { PlannedEntry } from '../restore/plan.js';
import { reasonOf } from '../store/errors.js';
import type { BlobHash } from '../store/types.js';
import type { BuiltTree } from '../tree/build-tree.js';
import type { OpenPayload, PayloadBackend, PayloadProblem } from './payload-backend.js';
import { removeTree } from './remove-tree.js';

const SUFFIX = '.tar.gz';

/**
 * One portable tar.gz per snapshot, `archives/<id>.tar.gz` in the store, as the seed kept them (with
 * PAX mtimes, checked writes and limits at creation). A restore extracts the files it writes into
 * `staging/` in the store, checking each against the tree's hash, and moves them into place from
 * there (copies them across filesystems): never wipe-and-extract.
 */
export class ArchiveBackend implements PayloadBackend {
  readonly name = 'archive';
  readonly #dir: string;
  readonly #staging: string;
  readonly #workspace: string;

  constructor(storeDir: string, workspace: string) {
    this.#dir = join(storeDir, 'archives');
    this.#staging = join(storeDir, 'staging');
    this.#workspace = workspace;
  }

  /** The tree is built from the workspace itself; the archive follows once it is known (seal). */
  async capture(): Promise<string> {
    return this.#workspace;
  }

  async seal(id: string, tree: BuiltTree): Promise<number> {
    const { paths, hashes } = treeContents(tree);
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const file = this.#file(id);
    // The hashes make a file edited since it was hashed fail the write, so archive and tree agree.
    await writeArchive(this.#workspace, file, { paths, hashes });
    return (await stat(file)).size;
  }

  async open(id: string, files: readonly PlannedEntry[]): Promise<OpenPayload> {
    await mkdir(this.#staging, { recursive: true, mode: 0o700 });
    const dir = await mkdtemp(join(this.#staging, `${id}-`));
    try {
      await extractFiles(this.#file(id), dir, files);
    } catch (error) {
      await removeTree(dir);
      throw error;
    }
    return { dir, movable: true, release: () => removeTree(dir) };
  }

  async remove(id: string): Promise<void> {
    await rm(this.#file(id), { force: true });
  }

  /** Inflates and parses the whole archive: gzip CRC, tar checksums, the end-of-archive marker. */
  async check(id: string): Promise<PayloadProblem | null> {
    const file = this.#file(id);
    try {
      for await (const _event of readTar(file));
      return null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return { kind: 'missing', message: `the archive ${file} is missing` };
      return { kind: 'corrupt', message: `the archive ${file} is damaged: ${reasonOf(error)}` };
    }
  }

  async sweep(keep: ReadonlySet<string>): Promise<void> {
    // Also the temporary files of a write and the staging directories of a restore that were interrupted.
    for (const name of await readdir(this.#dir).catch(() => [])) {
      const id = name.endsWith(SUFFIX) ? name.slice(0, -SUFFIX.length) : '';
      if (!keep.has(id)) await rm(join(this.#dir, name), { force: true });
    }
    await removeTree(this.#staging);
  }

  #file(id: string): string {
    return join(this.#dir, `${id}${SUFFIX}`);
  }
}

/** Every path of a tree (parents first) and the content hash of each file. */
function treeContents(tree: BuiltTree): { paths: string[]; hashes: Map<string, BlobHash> } {
  const paths: string[] = [];
  const hashes = new Map<string, BlobHash>();
  const visit = (hash: BlobHash, prefix: string) => {
    for (const entry of tree.trees.get(hash) ?? []) {
      const path = `${prefix}${entry.name}`;
      paths.push(path);
      if (entry.type === 'dir') visit(entry.ref, `${path}/`);
      else if (entry.type === 'file') hashes.set(path, entry.ref);
    }
  };
  visit(tree.root, '');
  return { paths, hashes };
}

/**
 * Extracts `files` from one of the backend's archives into the empty directory `dir`, each of which
 * must be a regular file with the size and content hash its snapshot recorded; each gets the
 * snapshot's mode and mtime, so the restore can move it into place as it is. Everything else
 * (directories, symlinks: the tree has them) is skipped, so only files are written, at the snapshot's
 * own paths below `dir`. The whole archive is read, so that gzip checks its CRC.
 */
async function extractFiles(file: string, dir: string, files: readonly PlannedEntry[]): Promise<void> {
  const wanted = new Map(files.map((planned) => [planned.path, planned.entry]));
  const damaged = (what: string) =>
    new SnapshotError('corrupt_archive', `cannot restore from ${file}: ${what}; run 'moat snapshot verify'`);
  let writing: { fd: number; hash: Hash; entry: PlannedEntry['entry'] } | undefined;
  let current: string | undefined;
  try {
    for await (const event of readTar(file)) {
      if (event.kind === 'entry') {
        current = event.header.name;
        const entry = wanted.get(current);
        if (entry === undefined) continue;
        if (event.header.type !== 'File' || event.header.size !== entry.size)
          throw damaged(`entry "${current}" is not the file of ${entry.size} bytes the snapshot recorded`);
        wanted.delete(current);
        mkdirSync(dirname(join(dir, current)), { recursive: true });
        writing = { fd: openSync(join(dir, current), 'wx', 0o600), hash: createHash('sha256'), entry };
      } else if (writing && event.kind === 'data') {
        writing.hash.update(event.chunk);
        for (let offset = 0; offset < event.chunk.length; )
          offset += writeSync(writing.fd, event.chunk, offset);
      } else if (writing && event.kind === 'end') {
        const { fd, hash, entry } = writing;
        writing = undefined;
        try {
          if (hash.digest('hex') !== entry.ref)
            throw damaged(`entry "${current}" does not hold the content the snapshot recorded`);
          fchmodSync(fd, entry.mode); // explicit, so the umask has no say
          futimesSync(fd, seconds(entry.mtimeUs), seconds(entry.mtimeUs));
        } finally {
          closeSync(fd);
        }
      }
    }
  } catch (error) {
    throw error instanceof Refusal ? error.toSnapshotError(file, current) : error;
  } finally {
    if (writing) closeSync(writing.fd);
  }
  const [missing] = wanted.keys();
  if (missing !== undefined) throw damaged(`it has no entry "${missing}"`);
}
