import { readFile } from 'node:fs/promises';
import { errnoCode, reasonOf, StorageError } from '../errors.js';
import { type WriteFileAtomicOptions, writeFileAtomic } from './write-file-atomic.js';

export interface ReadJsonFileOptions<T> {
  /** Checks the parsed value and returns it typed; throws (with a reason as message) when it is wrong. */
  validate?: (value: unknown) => T;
}

/** Writes `value` as JSON (2-space indent, trailing newline) with {@link writeFileAtomic}. */
export async function writeJsonAtomic(
  path: string,
  value: unknown,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, null, 2);
  } catch (error) {
    throw new StorageError('invalid', `cannot write ${path}: the value is not JSON (${reasonOf(error)})`, {
      file: path,
      cause: error,
    });
  }
  if (text === undefined) {
    throw new StorageError('invalid', `cannot write ${path}: the value is not JSON (${typeof value})`, {
      file: path,
    });
  }
  await writeFileAtomic(path, `${text}\n`, options);
}

/**
 * Reads and parses a JSON file. Returns undefined when it does not exist; throws a 'corrupt'
 * StorageError when it does not parse or `validate` rejects it, and 'io' when it cannot be read.
 */
export function readJsonFile<T = unknown>(
  path: string,
  options: ReadJsonFileOptions<T> = {},
): Promise<T | undefined> {
  return readJson(path, options.validate, 'fix or delete it');
}

/** {@link readJsonFile} with the advice a 'corrupt' error ends with, for callers that know better. */
export async function readJson<T>(
  path: string,
  validate: ((value: unknown) => T) | undefined,
  remedy: string,
): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw new StorageError('io', `cannot read ${path} (${reasonOf(error)}); check its permissions`, {
      file: path,
      cause: error,
    });
  }
  try {
    const value: unknown = JSON.parse(text);
    return validate ? validate(value) : (value as T);
  } catch (error) {
    throw new StorageError('corrupt', `${path} is corrupted (${reasonOf(error)}); ${remedy}`, {
      file: path,
      cause: error,
    });
  }
}
