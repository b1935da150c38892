import { mkdir, readFile } from 'node:fs/promises';
import { writeJsonAtomic } from '@moat/storage';
import { errnoCode, reasonOf, SnapshotStoreError } from './errors.js';
import type { StoreLayout } from './store-layout.js';

const STORE_FORMAT = 1;

/** store.json: marks a directory as a store and says which format its files use. */
export interface StoreFile {
  format: number;
  created_at: string;
}

/**
 * Checks that the store exists and is of a format this code reads. With `create`, a missing store is
 * created: the directory, packs/, refs/, then store.json, written atomically, last.
 */
export async function openStoreFile(layout: StoreLayout, create: boolean): Promise<StoreFile> {
  const existing = await readStoreFile(layout);
  if (existing !== undefined) return existing;
  if (!create) {
    throw new SnapshotStoreError(
      'not_found',
      `no snapshot store at ${layout.dir} (${layout.storeFile} does not exist)`,
    );
  }
  const created: StoreFile = { format: STORE_FORMAT, created_at: new Date().toISOString() };
  try {
    await mkdir(layout.packsDir, { recursive: true, mode: 0o700 });
    await mkdir(layout.refsDir, { recursive: true, mode: 0o700 });
    await writeJsonAtomic(layout.storeFile, created);
  } catch (error) {
    throw new SnapshotStoreError(
      'io',
      `cannot create a snapshot store at ${layout.dir} (${reasonOf(error)})`,
      { cause: error },
    );
  }
  return created;
}

async function readStoreFile(layout: StoreLayout): Promise<StoreFile | undefined> {
  const file = layout.storeFile;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
    throw new SnapshotStoreError('io', `cannot read ${file} (${reasonOf(error)}); check its permissions`, {
      cause: error,
    });
  }
  let value: Partial<StoreFile>;
  try {
    value = JSON.parse(text) as Partial<StoreFile>;
  } catch (error) {
    throw corrupt(file, reasonOf(error));
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    !Number.isInteger(value.format) ||
    (value.format as number) < 1 ||
    typeof value.created_at !== 'string'
  ) {
    throw corrupt(file, 'it needs "format" and "created_at"');
  }
  if ((value.format as number) > STORE_FORMAT) {
    throw new SnapshotStoreError(
      'unsupported',
      `the snapshot store at ${layout.dir} has format ${value.format}, newer than this moat reads (${STORE_FORMAT}); upgrade moat`,
    );
  }
  return value as StoreFile;
}

function corrupt(file: string, reason: string): SnapshotStoreError {
  return new SnapshotStoreError('corrupt', `${file} is not a valid snapshot store file (${reason})`);
}
