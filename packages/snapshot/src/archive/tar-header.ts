import { Header } from 'tar';
import { paxRecord, paxTime } from './pax.js';

const BLOCK = 512;

export interface EntryFields {
  /** Archive member name: relative, '/'-separated, directories with a trailing '/'. */
  path: string;
  type: 'File' | 'Directory' | 'SymbolicLink';
  /** st_mode & 0o7777. */
  mode: number;
  size: number;
  mtimeUs: number;
  linkpath?: string;
}

/**
 * The header blocks of one entry: a ustar header, preceded by a PAX extended header when ustar
 * cannot hold the name, link target, size or the mtime's fraction of a second. No owner fields
 * (uid, gid, user and group names): the archive is portable, and extraction never applies them.
 */
export function encodeHeader(fields: EntryFields): Buffer {
  const mtime = new Date(Math.floor(fields.mtimeUs / 1_000_000) * 1000);
  const ustar = Buffer.alloc(BLOCK);
  const { path, type, mode, size, linkpath } = fields;
  const needPax = new Header({ path, type, mode, size, linkpath, mtime }).encode(ustar);
  if (!needPax && fields.mtimeUs % 1_000_000 === 0) return ustar;
  const body = Buffer.from(
    paxRecord('path', fields.path) +
      (fields.linkpath === undefined ? '' : paxRecord('linkpath', fields.linkpath)) +
      paxRecord('size', String(fields.size)) +
      paxRecord('mtime', paxTime(fields.mtimeUs)),
  );
  const pax = Buffer.alloc(BLOCK);
  new Header({ path: 'PaxHeader', type: 'ExtendedHeader', mode: 0o644, size: body.length, mtime }).encode(
    pax,
  );
  return Buffer.concat([pax, body, padding(body.length), ustar]);
}

/** Zeros that fill `size` bytes of content up to a whole block. */
export function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}
