import { type FileHandle, open } from 'node:fs/promises';
import { errnoCode, reasonOf, StorageError } from '../errors.js';
import { LineSplitter } from './line-splitter.js';
import { DEFAULT_MAX_LINE_BYTES, interpretLine, type JsonlProblem, tornLineProblem } from './parse-line.js';

export interface ReadJsonlOptions<T> {
  /** Checks each parsed line and returns it typed; throws (reason as message) for an invalid record. */
  parse?: (value: unknown) => T;
  /** Longer lines are skipped (a 'too_long' problem) without being held in memory. Default 1 MiB. */
  maxLineBytes?: number;
}

export interface ReadJsonlResult<T> {
  records: T[];
  problems: JsonlProblem[];
}

export const CHUNK_BYTES = 64 * 1024;

/**
 * Reads every record of a JSONL file, streaming it in chunks. A missing file has no records. Bad
 * lines (invalid JSON, rejected by `parse`, too long, or an unterminated last line) become problems
 * and reading goes on after them; only an unreadable file throws (a StorageError 'io').
 */
export async function readJsonl<T = unknown>(
  path: string,
  options: ReadJsonlOptions<T> = {},
): Promise<ReadJsonlResult<T>> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const result: ReadJsonlResult<T> = { records: [], problems: [] };
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return result;
    throw readError(path, error);
  }
  try {
    const splitter = new LineSplitter(maxLineBytes);
    for (let chunk = await readChunk(handle); chunk; chunk = await readChunk(handle)) {
      for (const split of splitter.push(chunk)) {
        const outcome = interpretLine(path, split, options.parse, maxLineBytes);
        if (outcome && 'record' in outcome) result.records.push(outcome.record);
        else if (outcome) result.problems.push(outcome.problem);
      }
    }
    const rest = splitter.pending();
    if (rest) result.problems.push(tornLineProblem(path, rest.line));
    return result;
  } catch (error) {
    throw readError(path, error);
  } finally {
    await handle.close();
  }
}

/** The next chunk from `position` (default: the handle's current position), or undefined at the end. */
export async function readChunk(
  handle: FileHandle,
  position: number | null = null,
  length = CHUNK_BYTES,
): Promise<Buffer | undefined> {
  // A fresh buffer per chunk: lines handed out may point into it.
  const { bytesRead, buffer } = await handle.read(Buffer.allocUnsafe(length), 0, length, position);
  return bytesRead ? buffer.subarray(0, bytesRead) : undefined;
}

export function readError(path: string, error: unknown): StorageError {
  return new StorageError(
    'io',
    `cannot read ${path} (${reasonOf(error)}); check that it is a readable file`,
    {
      file: path,
      cause: error,
    },
  );
}
