import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { reasonOf, StorageError } from '../errors.js';
import { ensureDir, syncDir } from './directory.js';

export interface WriteFileAtomicOptions {
  /** Mode of the new file, as for open(2) (the umask applies). Default 0o600. */
  mode?: number;
}

/**
 * Replaces `path` so that readers and crashes see either the old or the new content, never a mix:
 * writes a temp file beside it, fsyncs it, renames it over the target and fsyncs the directory.
 * Missing parent directories are created with mode 0700. On failure the temp file is removed, the
 * old content is untouched and a StorageError ('io') naming `path` is thrown.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    await ensureDir(dir);
    handle = await open(temp, 'wx', options.mode ?? 0o600);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
    await syncDir(dir);
  } catch (error) {
    await handle?.close().catch(() => {});
    await rm(temp, { force: true }).catch(() => {});
    throw new StorageError(
      'io',
      `cannot write ${path} (${reasonOf(error)}); check that its directory is writable and the disk is not full`,
      { file: path, cause: error },
    );
  }
}
