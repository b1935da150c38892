import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

/**
 * Where a workspace's content store lives below a moat home: one store per workspace directory,
 * shared by all its runs, named for people (the folder name) and for uniqueness (a hash of the real path).
 */
export async function defaultStoreDir(workspace: string, storesDir: string): Promise<string> {
  // A deleted workspace keeps its key when no symlink led to it: its snapshots stay reachable.
  const real = await realpath(workspace).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return resolve(workspace);
    throw error;
  });
  const key = createHash('sha256').update(real).digest('hex').slice(0, 12);
  const name = basename(real).replace(/[^A-Za-z0-9._-]/g, '_') || 'root';
  return join(storesDir, `${name}-${key}`);
}
