import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SnapshotStoreError } from '../store/errors.js';
import { type SmallFileWrite, writeSmallFile } from './small-file.js';

/** Below this many files, starting threads costs more than it saves. */
export const PARALLEL_WRITE_MIN_FILES = 512;

const BATCH_FILES = 256;
const BATCH_BYTES = 4 << 20;
/** Batches a writer may have queued before the reader waits: bounds memory when the disk is slow. */
const BATCHES_IN_FLIGHT = 4;

/** A file to write, with the hash its content must have (checked on the thread, before writing). */
export type VerifiedWrite = SmallFileWrite & { hash: string };

interface Batch {
  items: (VerifiedWrite & { offset: number; length: number })[];
  chunks: Uint8Array[];
  bytes: number;
}

interface WriterReply {
  done?: number;
  ended?: boolean;
  error?: { message: string; code?: string };
}

/**
 * Writes small files on several threads. Creating a file takes its directory's lock, so files in one
 * directory are created one at a time whoever creates them, while files in different directories
 * are created in parallel: each thread owns whole directories. Measured on ext4 with 2 cores: two
 * writers create 20k files in half the time one does. Content is handed over in batches, copied
 * once into a buffer whose ownership moves to the thread.
 */
export class ParallelWriter {
  readonly #writers: Writer[];

  private constructor(writers: Writer[]) {
    this.#writers = writers;
  }

  static start(onWritten: (count: number) => void): ParallelWriter {
    const count = Math.min(4, Math.max(2, availableParallelism()));
    return new ParallelWriter(Array.from({ length: count }, () => new Writer(onWritten)));
  }

  /** Queues a write; resolves at once unless the owning thread is too far behind. */
  async write(item: VerifiedWrite, data: Uint8Array): Promise<void> {
    const writer = this.#writers[ownerOf(item.target, this.#writers.length)] as Writer;
    await writer.add(item, data);
  }

  /** Resolves when every queued file is written; rejects with the first failure. Ends the threads. */
  async finish(): Promise<void> {
    const results = await Promise.allSettled(this.#writers.map((writer) => writer.end()));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  }

  /** Ends the threads without waiting for queued writes (after a failure elsewhere). */
  async abort(): Promise<void> {
    await Promise.all(this.#writers.map((writer) => writer.terminate()));
  }
}

class Writer {
  readonly #worker: Worker;
  #batch: Batch = emptyBatch();
  #inFlight = 0;
  #waiting: (() => void)[] = [];
  #failure: Error | null = null;
  #ended: Promise<void>;

  constructor(onWritten: (count: number) => void) {
    this.#worker = new Worker(WRITER_SOURCE, { eval: true });
    this.#ended = new Promise((resolve, reject) => {
      this.#worker.on('message', (reply: WriterReply) => {
        if (reply.done !== undefined) {
          this.#inFlight--;
          onWritten(reply.done);
          this.#waiting.shift()?.();
        } else if (reply.error) {
          const { message, code } = reply.error;
          this.#fail(
            code === 'ECORRUPT'
              ? new SnapshotStoreError('corrupt', message)
              : Object.assign(new Error(message), { code }),
          );
          reject(this.#failure);
        } else if (reply.ended) {
          resolve();
        }
      });
      this.#worker.on('error', (error) => {
        this.#fail(error);
        reject(error);
      });
    });
    this.#ended.catch(() => {}); // surfaced by end() or the next add()
  }

  async add(item: VerifiedWrite, data: Uint8Array): Promise<void> {
    if (this.#failure) throw this.#failure;
    const batch = this.#batch;
    batch.items.push({ ...item, offset: batch.bytes, length: data.length });
    batch.chunks.push(data);
    batch.bytes += data.length;
    if (batch.items.length >= BATCH_FILES || batch.bytes >= BATCH_BYTES) {
      this.#flush();
      while (this.#inFlight > BATCHES_IN_FLIGHT && !this.#failure) {
        await new Promise<void>((resolve) => this.#waiting.push(resolve));
      }
      if (this.#failure) throw this.#failure;
    }
  }

  async end(): Promise<void> {
    this.#flush();
    if (!this.#failure) this.#worker.postMessage({ end: true });
    try {
      await this.#ended;
    } finally {
      await this.#worker.terminate();
    }
  }

  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }

  #flush(): void {
    const batch = this.#batch;
    if (batch.items.length === 0 || this.#failure) return;
    this.#batch = emptyBatch();
    const buffer = new Uint8Array(batch.bytes);
    let offset = 0;
    for (const chunk of batch.chunks) {
      buffer.set(chunk, offset);
      offset += chunk.length;
    }
    this.#inFlight++;
    this.#worker.postMessage({ items: batch.items, buffer: buffer.buffer }, [buffer.buffer]);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const resolve of this.#waiting.splice(0)) resolve();
  }
}

function emptyBatch(): Batch {
  return { items: [], chunks: [], bytes: 0 };
}

/** The writer owning the directory of `target` (FNV-1a of the directory path). */
function ownerOf(target: string, writers: number): number {
  const end = target.lastIndexOf('/');
  let hash = 0x811c9dc5;
  for (let i = 0; i < end; i++) hash = Math.imul(hash ^ target.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % writers;
}

/**
 * The body of a writer thread: checks and writes each batch it is sent, in order, and says how it
 * went. A blob whose content does not hash to its name is corrupt in the store: nothing of it is
 * written.
 */
function writerThread(write: typeof writeSmallFile): void {
  const fs = require('node:fs');
  const { createHash } = require('node:crypto');
  const { parentPort } = require('node:worker_threads');
  type Item = VerifiedWrite & { offset: number; length: number };
  parentPort.on('message', (message: { end?: true; items: Item[]; buffer: ArrayBuffer }) => {
    if (message.end) {
      parentPort.postMessage({ ended: true });
      return;
    }
    const data = new Uint8Array(message.buffer);
    try {
      for (const item of message.items) {
        const content = data.subarray(item.offset, item.offset + item.length);
        const actual = createHash('sha256').update(content).digest('hex');
        if (actual !== item.hash) {
          const corrupt = new Error(`blob ${item.hash} is corrupt: its content hashes to ${actual}`);
          throw Object.assign(corrupt, { code: 'ECORRUPT' });
        }
        write(fs, item, content);
      }
      parentPort.postMessage({ done: message.items.length });
    } catch (error) {
      const { message: text, code } = error as NodeJS.ErrnoException;
      parentPort.postMessage({ error: { message: text, code } });
    }
  });
}

// Both functions are self-contained; `__name` covers transpilers that wrap functions to keep names.
const WRITER_SOURCE = `const __name = (f) => f;\n(${writerThread.toString()})(${writeSmallFile.toString()});\n`;
