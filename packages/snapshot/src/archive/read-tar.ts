import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { formatBytes } from '../engine/limits.js';
import { paxMtime } from './pax.js';
import { Refusal } from './refusal.js';

/** Real metadata headers (PAX, GNU long names) hold a few paths; bigger ones are refused. */
const MAX_META_BYTES = 64 * 1024;
/** GNU tar writes at most three metadata headers before an entry; a long run is a decompression bomb. */
const MAX_META_RUN = 8;
/** tar pads its output to a record (10 KiB by default); more data after the end marker is refused. */
const MAX_TRAILING_BYTES = 1024 * 1024;

export interface TarHeader {
  name: string;
  /** tar's type name: 'File', 'Directory', 'SymbolicLink', 'Link', 'CharacterDevice', … */
  type: string;
  mode: number | undefined;
  size: number;
  /** Modification time in whole microseconds: exact from a PAX record, else whole seconds. */
  mtimeUs: number | undefined;
  linkpath: string | undefined;
}

export type TarEvent =
  | { kind: 'entry'; header: TarHeader }
  | { kind: 'data'; chunk: Buffer }
  | { kind: 'end' };

/**
 * The entries of a tar.gz in order: each entry's header, its content in chunks, its end. Throws a
 * Refusal for anything damaged (not gzip, a bad gzip stream or checksum, a bad header checksum, a
 * truncated body, no end-of-archive marker) and for what tar would silently skip (unknown entry
 * types, oversized metadata, GNU sparse files), so that nothing is lost without a word.
 *
 * Memory stays bounded: one inflated chunk is parsed, its events are handed out, and only then is
 * the next one read. Past the end-of-archive marker nothing is parsed; the rest is inflated (up to
 * MAX_TRAILING_BYTES) only so that gzip checks its CRC.
 */
export async function* readTar(file: string): AsyncGenerator<TarEvent> {
  const parser = new Parser({ strict: true, maxMetaEntrySize: MAX_META_BYTES });
  const pending: (TarEvent | Refusal)[] = [];
  let current: string | undefined;
  let meta = '';
  let metaRun = 0;
  let ended = false;
  parser.on('meta', (text: string) => {
    meta += text;
    if (++metaRun === MAX_META_RUN + 1) {
      pending.push(new Refusal('unsafe_archive', `has over ${MAX_META_RUN} metadata headers in a row`, null));
    }
  });
  parser.on('entry', (entry: ReadEntry) => {
    current = entry.path;
    if (/^\d+ GNU\.sparse\./m.test(meta)) {
      pending.push(
        new Refusal('unsafe_archive', 'is a GNU sparse file, which moat does not extract', current),
      );
    }
    pending.push({ kind: 'entry', header: headerOf(entry, meta) });
    meta = '';
    metaRun = 0;
    // 'end' first: an entry without content ends as soon as it flows.
    entry.on('end', () => pending.push({ kind: 'end' }));
    entry.on('data', (chunk: Buffer) => pending.push({ kind: 'data', chunk }));
  });
  parser.on('ignoredEntry', (entry: ReadEntry) => pending.push(ignored(entry)));
  parser.on('error', (error: TarError) => pending.push(damaged(error, current)));
  parser.on('eof', () => {
    ended = true;
  });

  let trailing = 0;
  for await (const chunk of inflate(file, () => current)) {
    if (ended) {
      trailing += chunk.length;
      if (trailing > MAX_TRAILING_BYTES) {
        const limit = formatBytes(MAX_TRAILING_BYTES);
        throw new Refusal(
          'unsafe_archive',
          `has over ${limit} of data after its end-of-archive marker`,
          null,
        );
      }
      continue;
    }
    parser.write(chunk);
    yield* take(pending);
  }
  if (ended) return;
  // The parser's own end checks: a truncated body, or no tar at all.
  parser.end();
  yield* take(pending);
  throw current === undefined
    ? new Refusal('corrupt_archive', 'the archive ends without its end-of-archive marker (truncated)')
    : new Refusal(
        'corrupt_archive',
        'is the last one: the archive ends there without its end-of-archive marker (truncated)',
      );
}

/** What the parser queued, in order; the first refusal among it is thrown. */
function* take(pending: (TarEvent | Refusal)[]): Generator<TarEvent> {
  for (const item of pending.splice(0)) {
    if (item instanceof Refusal) throw item;
    yield item;
  }
}

/** The archive's inflated bytes; gzip errors become refusals naming the entry being read. */
async function* inflate(file: string, current: () => string | undefined): AsyncGenerator<Buffer> {
  const source = createReadStream(file);
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  source.on('error', (error) => gunzip.destroy(error));
  try {
    yield* source.pipe(gunzip);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!code.startsWith('Z_')) throw error;
    const reason = (error as Error).message;
    throw current() === undefined
      ? new Refusal('corrupt_archive', `the file is not gzip-compressed tar, or is damaged (gzip: ${reason})`)
      : new Refusal('corrupt_archive', `is cut short or damaged (gzip: ${reason})`);
  } finally {
    source.destroy();
  }
}

function headerOf(entry: ReadEntry, meta: string): TarHeader {
  return {
    name: entry.path,
    type: entry.type,
    mode: entry.mode,
    size: entry.size,
    mtimeUs: mtimeOf(entry, meta),
    linkpath: entry.linkpath,
  };
}

function mtimeOf(entry: ReadEntry, meta: string): number | undefined {
  const ms = entry.mtime?.getTime();
  if (ms === undefined || Number.isNaN(ms)) return undefined;
  // tar's own value went through a Date; the PAX record it came from, when they agree, has the rest.
  const exact = paxMtime(meta);
  return exact !== undefined && Math.abs(exact / 1000 - ms) < 2 ? exact : ms * 1000;
}

/** The data tar attaches to what it emits as 'error' in strict mode. */
type TarError = Error & { tarCode?: string; header?: { path?: string }; entry?: { path?: string } };

function damaged(error: TarError, current: string | undefined): Refusal {
  const reason = error.message.replace(/^TAR_[A-Z_]+: /, '');
  const entry = error.header?.path || error.entry?.path || current;
  return entry === undefined
    ? new Refusal('corrupt_archive', `the file is not a tar archive, or is damaged (${reason})`, null)
    : new Refusal('corrupt_archive', `is damaged (${reason})`, entry);
}

function ignored(entry: ReadEntry): Refusal {
  const problem = entry.meta
    ? `is a metadata header of ${entry.size} bytes, over the limit of ${MAX_META_BYTES}`
    : entry.type === 'Unsupported'
      ? 'has an unknown entry type'
      : `is a tar ${entry.type} entry, which moat does not extract`;
  return new Refusal('unsafe_archive', problem, entry.path);
}
