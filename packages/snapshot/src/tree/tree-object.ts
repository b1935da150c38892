import type { EntryType } from '../scan/types.js';
import type { BlobHash } from '../store/types.js';

/**
 * One entry of a directory as a snapshot records it. `ref` is the content hash of a file, the tree
 * hash of a directory, or the verbatim target of a symlink.
 */
export interface TreeEntry {
  name: string;
  type: EntryType;
  mode: number;
  /** File content bytes; 0 for directories and symlinks. */
  size: number;
  /** Modification time in whole microseconds since the epoch (what a restore can set exactly). */
  mtimeUs: number;
  ref: string;
}

const FORMAT = 1;
const TYPE_CODES: Record<EntryType, string> = { file: 'f', dir: 'd', symlink: 'l' };
const TYPES_BY_CODE: Record<string, EntryType> = { f: 'file', d: 'dir', l: 'symlink' };

/**
 * A directory listing as stored in the content store, in UTF-8:
 * `{"v":1,"e":[[name,type,mode,size,mtime_us,ref],…]}` with entries sorted by name, so equal
 * directories always encode to equal bytes (and one hash). A string, so that a tree already stored is
 * hashed without first being copied into a Buffer.
 */
export function encodeTree(entries: readonly TreeEntry[]): string {
  const rows = entries.map((entry) => [
    entry.name,
    TYPE_CODES[entry.type],
    entry.mode,
    entry.size,
    entry.mtimeUs,
    entry.ref,
  ]);
  return JSON.stringify({ v: FORMAT, e: rows });
}

export function decodeTree(data: Uint8Array, hash: BlobHash): TreeEntry[] {
  let parsed: { v?: unknown; e?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch (error) {
    throw new Error(`tree object ${hash} is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed.v !== FORMAT || !Array.isArray(parsed.e)) {
    throw new Error(`tree object ${hash} has an unknown format (expected version ${FORMAT})`);
  }
  return parsed.e.map((row: unknown) => {
    const [name, code, mode, size, mtimeUs, ref] = row as [string, string, number, number, number, string];
    const type = TYPES_BY_CODE[code];
    if (typeof name !== 'string' || !type || typeof ref !== 'string') {
      throw new Error(`tree object ${hash} has a malformed entry`);
    }
    return { name, type, mode, size, mtimeUs, ref };
  });
}
