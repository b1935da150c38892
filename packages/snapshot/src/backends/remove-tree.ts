import { chmod, lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Removes `path` and everything below it, if it exists. Directories are made writable first: a copy
 * of a workspace can hold read-only ones, which only root could otherwise empty.
 */
export async function removeTree(path: string): Promise<void> {
  await makeDirsWritable(path);
  await rm(path, { recursive: true, force: true });
}

async function makeDirsWritable(path: string): Promise<void> {
  const stats = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (!stats?.isDirectory()) return;
  await chmod(path, 0o700);
  for (const entry of await readdir(path, { withFileTypes: true }))
    if (entry.isDirectory()) await makeDirsWritable(join(path, entry.name));
}
