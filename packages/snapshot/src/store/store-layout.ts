import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const PACK_ID = /^[0-9a-f]{32}$/;
/** Prefix of a pack being written; such files are never read, and gc removes old ones. */
export const TEMP_PACK_PREFIX = '.tmp-';

/** Where each file of a store lives. Computing a path never touches the disk. */
export class StoreLayout {
  readonly dir: string;
  readonly storeFile: string;
  readonly packsDir: string;
  readonly refsDir: string;
  readonly lockFile: string;

  constructor(dir: string) {
    this.dir = dir;
    this.storeFile = join(dir, 'store.json');
    this.packsDir = join(dir, 'packs');
    this.refsDir = join(dir, 'refs');
    this.lockFile = join(dir, 'store.lock');
  }

  packFile(id: string): string {
    return join(this.packsDir, `${id}.pack`);
  }

  indexFile(id: string): string {
    return join(this.packsDir, `${id}.idx`);
  }

  newTempPackFile(): string {
    return join(this.packsDir, `${TEMP_PACK_PREFIX}${randomBytes(8).toString('hex')}.pack`);
  }
}

/** Packs are named randomly: their content is checked by frame checksums and blob hashes, not by name. */
export function newPackId(): string {
  return randomBytes(16).toString('hex');
}

export function isPackId(value: string): boolean {
  return PACK_ID.test(value);
}
