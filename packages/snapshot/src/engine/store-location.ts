import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';

/**
 * Where a workspace's content store lives below a moat home: one store per workspace directory,
 * shared by all its runs, named for people (the folder name) and for uniqueness (a hash of the real path).
 */
export async function defaultStoreDir(workspace: string, storesDir: string): Promise<string> {
  const real = await realpath(workspace);
  const key = createHash('sha256').update(real).digest('hex').slice(0, 12);
  const name = basename(real).replace(/[^A-Za-z0-9._-]/g, '_') || 'root';
  return join(storesDir, `${name}-${key}`);
}
