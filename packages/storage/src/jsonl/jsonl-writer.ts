import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { reasonOf, StorageError } from '../errors.js';
import { ensureDir } from '../atomic/directory.js';

export interface JsonlWriterOptions {
  /** Mode of a newly created file, as for open(2) (the umask applies). Default 0o600. */
  mode?: number;
}

const NEWLINE = Buffer.from('\n');

/**
 * Appends JSON records, one per line, to a file that other processes may append to at the same
 * time. The file is opened with O_APPEND and every call is a single write(2) of whole lines, so
 * lines from different writers never interleave. Appends from one writer land in call order.
 */
export class JsonlWriter {
  readonly path: string;
  readonly #handle: FileHandle;
  #queue: Promise<void> = Promise.resolve();
  /** A short write left a partial line: the next write starts with '\n' to isolate it. */
  #tornTail: boolean;
  #closed = false;

  private constructor(path: string, handle: FileHandle, tornTail: boolean) {
    this.path = path;
    this.#handle = handle;
    this.#tornTail = tornTail;
  }

  /**
   * Opens (creating it and its directory, mode 0700, if needed) `path` for appending. A file that
   * does not end with '\n' was left by a writer that crashed mid-line: the first write then starts
   * with '\n', so that fragment stays a bad line of its own instead of swallowing the next record.
   */
  static async open(path: string, options: JsonlWriterOptions = {}): Promise<JsonlWriter> {
    let handle: FileHandle | undefined;
    try {
      await ensureDir(dirname(path));
      handle = await open(path, 'a+', options.mode ?? 0o600);
      const { size } = await handle.stat();
      const last = size > 0 ? (await handle.read(Buffer.alloc(1), 0, 1, size - 1)).buffer[0] : 10;
      return new JsonlWriter(path, handle, last !== 10);
    } catch (error) {
      await handle?.close().catch(() => {});
      throw writeError(path, error);
    }
  }

  append(record: unknown): Promise<void> {
    return this.appendMany([record]);
  }

  /** Appends all records with one write: a reader sees all of them or, after a crash, a torn last one. */
  async appendMany(records: readonly unknown[]): Promise<void> {
    if (this.#closed) {
      throw new StorageError('invalid', `cannot append to ${this.path}: the writer is closed`);
    }
    if (records.length === 0) return;
    const data = Buffer.from(records.map((record) => this.#line(record)).join(''));
    const write = this.#queue.then(() => this.#write(data));
    this.#queue = write.catch(() => {});
    return write;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    await this.#handle.close();
  }

  #line(record: unknown): string {
    let json: string | undefined;
    let reason: string;
    try {
      // JSON.stringify escapes newlines inside strings, so a record is always exactly one line.
      json = JSON.stringify(record);
      reason = typeof record;
    } catch (error) {
      reason = reasonOf(error);
    }
    if (json === undefined) {
      const message = `cannot append to ${this.path}: the record is not JSON (${reason})`;
      throw new StorageError('invalid', message, { file: this.path });
    }
    return `${json}\n`;
  }

  async #write(lines: Buffer): Promise<void> {
    const data = this.#tornTail ? Buffer.concat([NEWLINE, lines]) : lines;
    let written: number;
    try {
      written = (await this.#handle.write(data)).bytesWritten;
    } catch (error) {
      throw writeError(this.path, error);
    }
    this.#tornTail = written < data.length;
    if (this.#tornTail) {
      throw writeError(this.path, new Error(`only ${written} of ${data.length} bytes were written`));
    }
  }
}

/** Appends one record to `path` (see {@link JsonlWriter}), opening and closing the file. */
export async function appendJsonl(
  path: string,
  record: unknown,
  options: JsonlWriterOptions = {},
): Promise<void> {
  const writer = await JsonlWriter.open(path, options);
  try {
    await writer.append(record);
  } finally {
    await writer.close();
  }
}

function writeError(path: string, error: unknown): StorageError {
  return new StorageError(
    'io',
    `cannot append to ${path} (${reasonOf(error)}); check that it is writable and the disk is not full`,
    { file: path, cause: error },
  );
}
