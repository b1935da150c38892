import { open, stat } from 'node:fs/promises';
import { errnoCode } from './errors.js';

/** Makes renames and creations inside `dir` durable. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some filesystems cannot fsync a directory; the rename itself has still happened.
    if (errnoCode(error) !== 'EINVAL' && errnoCode(error) !== 'ENOTSUP') throw error;
  } finally {
    await handle.close();
  }
}

/** Size of a file, or undefined when it does not exist. */
export async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}
