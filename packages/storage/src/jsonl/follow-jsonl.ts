import { type FileHandle, open, stat } from 'node:fs/promises';
import { errnoCode } from '../errors.js';
import { ChangeWaiter } from './change-waiter.js';
import { LineSplitter } from './line-splitter.js';
import { DEFAULT_MAX_LINE_BYTES, interpretLine, type JsonlProblem } from './parse-line.js';
import { CHUNK_BYTES, type ReadJsonlOptions, readChunk, readError } from './read-jsonl.js';

export interface FollowJsonlOptions<T> extends ReadJsonlOptions<T> {
  /** Ends the iteration (without an error). */
  signal?: AbortSignal;
  /** How often to look for new data when no fs.watch event arrives. Default 100. */
  pollIntervalMs?: number;
  /** Bad lines are skipped; this hears about them. An unterminated last line is awaited, not a problem. */
  onProblem?: (problem: JsonlProblem) => void;
  /** Start with the records already in the file (default), or only with those appended later. */
  fromStart?: boolean;
}

interface OpenFile {
  handle: FileHandle;
  ino: number;
  position: number;
  splitter: LineSplitter;
}

/**
 * Yields the records of a JSONL file, then keeps yielding records as they are appended (by any
 * process), like `tail -f`. Waits for a missing file to appear; holds an incomplete last line until
 * its newline arrives; starts again from the beginning when the file shrinks or is replaced.
 * Ends when `signal` aborts or the consumer stops iterating, closing its file, watcher and timer.
 */
export async function* followJsonl<T = unknown>(
  path: string,
  options: FollowJsonlOptions<T> = {},
): AsyncGenerator<T, void, undefined> {
  const { signal, parse, onProblem, pollIntervalMs = 100, fromStart = true } = options;
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const waiter = new ChangeWaiter(path, pollIntervalMs, signal);
  // Only the file present at the start has "existing" records; a later or replacing file is all new.
  let skipExisting = !fromStart;
  let file: OpenFile | undefined;
  try {
    while (!signal?.aborted) {
      if (!file) {
        file = await openFile(path, maxLineBytes);
        if (!file) {
          skipExisting = false;
          await waiter.wait();
          continue;
        }
        if (skipExisting) await skipExistingLines(path, file);
        skipExisting = false;
      }
      for (let chunk = await readNext(path, file); chunk; chunk = await readNext(path, file)) {
        for (const split of file.splitter.push(chunk)) {
          if (signal?.aborted) return;
          const outcome = interpretLine(path, split, parse, maxLineBytes);
          if (outcome && 'record' in outcome) yield outcome.record;
          else if (outcome) onProblem?.(outcome.problem);
        }
      }
      const change = await changeOf(path, file);
      if (change === 'truncated') {
        file.position = 0;
        file.splitter = new LineSplitter(maxLineBytes);
      } else if (change === 'replaced') {
        await file.handle.close();
        file = undefined;
      } else {
        await waiter.wait();
      }
    }
  } finally {
    waiter.close();
    await file?.handle.close();
  }
}

async function openFile(path: string, maxLineBytes: number): Promise<OpenFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw readError(path, error);
  }
  try {
    const { ino } = await handle.stat();
    return { handle, ino, position: 0, splitter: new LineSplitter(maxLineBytes) };
  } catch (error) {
    await handle.close();
    throw readError(path, error);
  }
}

async function readNext(path: string, file: OpenFile, length = CHUNK_BYTES): Promise<Buffer | undefined> {
  try {
    const chunk = await readChunk(file.handle, file.position, length);
    file.position += chunk?.length ?? 0;
    return chunk;
  } catch (error) {
    throw readError(path, error);
  }
}

/** Passes over the lines already in the file, keeping an incomplete last one to finish later. */
async function skipExistingLines(path: string, file: OpenFile): Promise<void> {
  const { size } = await file.handle.stat();
  while (file.position < size) {
    const chunk = await readNext(path, file, Math.min(CHUNK_BYTES, size - file.position));
    if (!chunk) return;
    file.splitter.push(chunk);
  }
}

/** After reading to the end: is the file at `path` still the one we read, and not shorter? */
async function changeOf(path: string, file: OpenFile): Promise<'same' | 'truncated' | 'replaced'> {
  try {
    if ((await stat(path)).ino !== file.ino) return 'replaced';
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return 'replaced';
    throw readError(path, error);
  }
  return (await file.handle.stat()).size < file.position ? 'truncated' : 'same';
}
