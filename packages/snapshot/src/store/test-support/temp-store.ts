import { gunzipSync } from 'node:zlib';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { ContentStore } from '../content-store.js';
import type { PackIndexFile } from '../pack-index.js';

/** A fresh directory under the OS temp dir, removed when the current test finishes. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'moat-store-test-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A new, empty store in a temp dir. */
export async function tempStore(): Promise<ContentStore> {
  return ContentStore.open(join(await tempDir(), 'store'), { create: true });
}

/** Every file name in packs/, sorted. */
export async function packFiles(store: ContentStore): Promise<string[]> {
  return (await readdir(join(store.dir, 'packs'))).sort();
}

/** Every pack index of the store, parsed. */
export async function packIndexes(store: ContentStore): Promise<PackIndexFile[]> {
  const names = (await packFiles(store)).filter((name) => name.endsWith('.idx'));
  return Promise.all(
    names.map(
      async (name) =>
        JSON.parse(
          gunzipSync(await readFile(join(store.dir, 'packs', name))).toString('utf8'),
        ) as PackIndexFile,
    ),
  );
}

/**
 * Deterministic text that looks like source code: lines from a shared vocabulary with a few varying
 * names, so files resemble each other as a project's files do (seeded, so runs are reproducible).
 */
export function sourceLike(seed: number, bytes: number): Buffer {
  const words = [
    'const',
    'return',
    'await',
    'function',
    'export',
    'import',
    'value',
    'options',
    'result',
    'error',
  ];
  let state = (seed * 2654435761 + 1) % 2147483648;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state >> 8;
  };
  const parts: string[] = [];
  let length = 0;
  while (length < bytes) {
    const a = words[next() % words.length];
    const b = words[next() % words.length];
    const line =
      next() % 4 === 0
        ? `  if (${a} === undefined) throw new Error('missing ${b}: ' + ${a}${next() % 50});\n`
        : `  ${a} ${b}${next() % 50} = await load(${b}, { ${a}: true });\n`;
    parts.push(line);
    length += line.length;
  }
  return Buffer.from(parts.join('').slice(0, bytes));
}

/** An async iterable over `data` in chunks, recording whether it was read at all. */
export function chunksOf(
  data: Uint8Array,
  chunkSize = 64 * 1024,
): AsyncIterable<Uint8Array> & { consumed: boolean } {
  const iterable = {
    consumed: false,
    async *[Symbol.asyncIterator]() {
      iterable.consumed = true;
      for (let offset = 0; offset < data.length; offset += chunkSize)
        yield data.subarray(offset, offset + chunkSize);
    },
  };
  return iterable;
}

/** Flips every bit of the byte at `offset` of `file`, as a failing disk might. */
export async function flipByte(file: string, offset: number): Promise<void> {
  const bytes = await readFile(file);
  bytes.writeUInt8(bytes.readUInt8(offset) ^ 0xff, offset);
  await writeFile(file, bytes);
}
