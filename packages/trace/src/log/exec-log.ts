import {
  type FollowJsonlOptions,
  followJsonl,
  JsonlWriter,
  type JsonlProblem,
  readJsonl,
} from '@moat/storage';
import type { ExecEvent, ExecUpdate } from '../event/exec-event.js';
import { ExecLogMerger } from './exec-log-merger.js';
import { parseExecRecord, toExecRecord } from './exec-record.js';

/**
 * Appends tracer updates to exec.jsonl (a start record when a process execs, an end record when it
 * ends), one write per batch, safe alongside other appenders. Use one writer per trace: `seq` is
 * the tracer's numbering.
 */
export class ExecLogWriter {
  readonly path: string;
  readonly #writer: JsonlWriter;

  private constructor(writer: JsonlWriter) {
    this.#writer = writer;
    this.path = writer.path;
  }

  /** Opens (creating it, mode 0600, and its directory) `path` for appending. */
  static async open(path: string): Promise<ExecLogWriter> {
    return new ExecLogWriter(await JsonlWriter.open(path));
  }

  /** Appends the updates in order; rejects with a StorageError if the disk refuses. */
  write(updates: readonly ExecUpdate[]): Promise<void> {
    return this.#writer.appendMany(updates.map(toExecRecord));
  }

  close(): Promise<void> {
    return this.#writer.close();
  }
}

export interface ReadExecLogResult {
  /** One event per process, in `seq` order. */
  events: ExecEvent[];
  /** Lines that were skipped (torn last line, bad JSON, a newer format), each naming file and line. */
  problems: JsonlProblem[];
}

/** Reads exec.jsonl and merges start and end records. A missing file has no events. */
export async function readExecLog(path: string): Promise<ReadExecLogResult> {
  const { records, problems } = await readJsonl(path, { parse: parseExecRecord });
  const merger = new ExecLogMerger();
  for (const record of records) merger.apply(record);
  return { events: merger.events(), problems };
}

export type FollowExecLogOptions = Pick<
  FollowJsonlOptions<unknown>,
  'signal' | 'pollIntervalMs' | 'onProblem' | 'fromStart'
>;

/**
 * Yields the log's updates as they are appended (existing ones first unless `fromStart: false`):
 * a `start` with the running event, then an `end` with the same `seq` and the finished event. Waits
 * for a missing file, holds a torn last line until it is complete. Ends when `signal` aborts.
 */
export async function* followExecLog(
  path: string,
  options: FollowExecLogOptions = {},
): AsyncGenerator<ExecUpdate, void, undefined> {
  const merger = new ExecLogMerger({ keepEvents: false });
  for await (const record of followJsonl(path, { ...options, parse: parseExecRecord })) {
    const update = merger.apply(record);
    if (update) yield update;
  }
}
