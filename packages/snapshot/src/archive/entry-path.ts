import { quote, Refusal } from './refusal.js';

/** Linux's PATH_MAX and NAME_MAX: longer paths could not be created anyway. */
export const MAX_PATH_BYTES = 4096;
const MAX_NAME_BYTES = 255;

/**
 * An archive member name as a path below the destination: '/'-separated, without empty or '.'
 * components, '' for the destination itself (GNU tar's "./"). Names that are absolute, have a ".."
 * component (which is not the same as starting with two dots: "..env" is a name) or are too long
 * for a file system are refused.
 */
export function entryPath(name: string): string {
  if (name.startsWith('/')) throw new Refusal('unsafe_archive', 'has an absolute path');
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw new Refusal('unsafe_archive', 'has a ".." component in its path');
  const path = parts.join('/');
  const bytes = Buffer.byteLength(path);
  if (bytes > MAX_PATH_BYTES) {
    throw new Refusal('unsafe_archive', `has a path of ${bytes} bytes, over the limit of ${MAX_PATH_BYTES}`);
  }
  for (const part of parts) {
    const partBytes = Buffer.byteLength(part);
    if (partBytes > MAX_NAME_BYTES) {
      throw new Refusal(
        'unsafe_archive',
        `has a path component of ${partBytes} bytes, over the limit of ${MAX_NAME_BYTES}`,
      );
    }
  }
  return path;
}

export type EntryKind = 'file' | 'dir' | 'symlink' | 'hardlink';

// Maps, not object literals: a PAX header can set the type to any string, "constructor" included.
const KINDS = new Map<string, EntryKind>([
  ['File', 'file'],
  ['OldFile', 'file'],
  ['ContiguousFile', 'file'],
  ['Directory', 'dir'],
  ['SymbolicLink', 'symlink'],
  ['Link', 'hardlink'],
]);

const SPECIAL = new Map([
  ['CharacterDevice', 'a character device'],
  ['BlockDevice', 'a block device'],
  ['FIFO', 'a FIFO'],
]);

/** What an entry of tar's type `type` becomes; devices, FIFOs and anything else are refused. */
export function entryKind(type: string): EntryKind {
  const kind = KINDS.get(type);
  if (kind !== undefined) return kind;
  const special = SPECIAL.get(type) ?? `of type ${quote(type)}`;
  throw new Refusal(
    'unsafe_archive',
    `is ${special}; only files, directories, symlinks and hard links are extracted`,
  );
}
