import { createHash } from 'node:crypto';
import { type BigIntStats, closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { statNumbers } from '../scan/stat-time.js';

/** Files up to this size are read into memory whole; larger ones are streamed twice (hash, then store). */
export const SMALL_FILE_BYTES = 8 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;
/** How often a file that changes while being read is read again before giving up. */
export const READ_ATTEMPTS = 3;

/** The stat fields that must not move while a file is read, or what was read may be torn. */
export interface StableStat {
  size: number;
  mtimeMs: number;
  mtimeUs: number;
  ctimeMs: number;
  ino: number;
  mode: number;
}

export class FileChangingError extends Error {
  constructor(readonly path: string) {
    super(`${path} kept changing while it was being read (${READ_ATTEMPTS} attempts)`);
  }
}

/**
 * Reads a small file whole, re-reading when its stat moved during the read, so the content returned
 * is never torn. Returns the content with the stat that matches it.
 */
export function readSmallFileStable(path: string): { data: Buffer; stat: StableStat } {
  for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const before = fstatSync(fd, { bigint: true });
      const data = Buffer.allocUnsafe(Number(before.size));
      let read = 0;
      while (read < data.length) {
        const n = readSync(fd, data, read, data.length - read, read);
        if (n === 0) break;
        read += n;
      }
      const after = fstatSync(fd, { bigint: true });
      if (read === data.length && sameStat(before, after)) return { data, stat: stableStat(after) };
    } finally {
      closeSync(fd);
    }
  }
  throw new FileChangingError(path);
}

/** sha256 of a large file, streamed; with the stat that held for the whole read, or null if it moved. */
export async function hashLargeFile(path: string): Promise<{ hash: string; stat: StableStat } | null> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const before = await handle.stat({ bigint: true });
    const hash = createHash('sha256');
    for await (const chunk of chunksOf(handle, Number(before.size))) hash.update(chunk);
    const after = await handle.stat({ bigint: true });
    return sameStat(before, after) ? { hash: hash.digest('hex'), stat: stableStat(after) } : null;
  } finally {
    await handle.close();
  }
}

/** The content of a large file as chunks, for a store that verifies the hash it was promised. */
export async function* streamFile(path: string, size: number): AsyncIterable<Uint8Array> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    yield* chunksOf(handle, size);
  } finally {
    await handle.close();
  }
}

async function* chunksOf(handle: FileHandle, size: number): AsyncIterable<Uint8Array> {
  let position = 0;
  while (position < size) {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size - position));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

function sameStat(a: BigIntStats, b: BigIntStats): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino;
}

function stableStat(stat: BigIntStats): StableStat {
  return statNumbers(stat);
}
