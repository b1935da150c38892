import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { preferredCodec } from './codec.js';
import { ContentStore } from './content-store.js';
import { SnapshotStoreError } from './errors.js';
import { EMPTY_BLOB_HASH, hashBlob } from './hash.js';
import { packFiles, packIndexes, sourceLike, tempDir, tempStore } from './test-support/temp-store.js';

describe('ContentStore.open', () => {
  it('refuses a missing store unless asked to create it, then creates store.json, packs/ and refs/', async () => {
    const dir = join(await tempDir(), 'store');
    const error = await ContentStore.open(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotStoreError);
    expect(error).toMatchObject({
      code: 'not_found',
      message: `no snapshot store at ${dir} (${dir}/store.json does not exist)`,
    });

    const store = await ContentStore.open(dir, { create: true });
    expect(store.dir).toBe(dir);
    expect((await readdir(dir)).sort()).toEqual(['packs', 'refs', 'store.json']);
    const file = JSON.parse(await readFile(join(dir, 'store.json'), 'utf8'));
    expect(file).toEqual({ format: 1, created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });
    await expect(ContentStore.open(dir)).resolves.toBeInstanceOf(ContentStore);
  });

  it('reports a damaged store.json as corrupt and a newer format as unsupported', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'store.json'), '{"format":');
    await expect(ContentStore.open(dir, { create: true })).rejects.toMatchObject({ code: 'corrupt' });
    await writeFile(join(dir, 'store.json'), '{"format":2,"created_at":"2030-01-01T00:00:00.000Z"}');
    await expect(ContentStore.open(dir)).rejects.toMatchObject({
      code: 'unsupported',
      message: `the snapshot store at ${dir} has format 2, newer than this moat reads (1); upgrade moat`,
    });
  });
});

describe('ContentStore blobs', () => {
  it('round-trips small, empty and multi-frame blobs, and streams large ones frame by frame', async () => {
    const store = await tempStore();
    const small = Buffer.from('hello, snapshot\n');
    const random = randomBytes(5 * 1024 * 1024);
    const compressible = sourceLike(1, 3 * 1024 * 1024);
    const writer = store.startWrite();
    const hashes = [
      await writer.add(small),
      await writer.add(new Uint8Array(0)),
      await writer.add(random),
      await writer.add(compressible),
    ];
    expect(hashes).toEqual([hashBlob(small), EMPTY_BLOB_HASH, hashBlob(random), hashBlob(compressible)]);
    const totals = await writer.commit();
    expect(totals).toMatchObject({ blobs: 3, rawBytes: small.length + random.length + compressible.length });

    const reopened = await ContentStore.open(store.dir);
    for (const [hash, data] of [
      [hashes[0], small],
      [EMPTY_BLOB_HASH, Buffer.alloc(0)],
      [hashes[2], random],
      [hashes[3], compressible],
    ] as const) {
      expect(await reopened.has(hash as string)).toBe(true);
      expect((await reopened.read(hash as string)).equals(data)).toBe(true);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of reopened.readStream(hashes[2] as string)) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThanOrEqual(5);
    expect(Buffer.concat(chunks).equals(random)).toBe(true);
    expect(totals.storedBytes).toBe((await reopened.stats()).bytes);
  });

  it('holds the empty blob without storing it', async () => {
    const store = await tempStore();
    expect(await store.has(EMPTY_BLOB_HASH)).toBe(true);
    const writer = store.startWrite();
    expect(await writer.add(Buffer.alloc(0))).toBe(EMPTY_BLOB_HASH);
    expect(await writer.commit()).toEqual({ blobs: 0, rawBytes: 0, storedBytes: 0 });
    expect(await packFiles(store)).toEqual([]);
    expect((await store.read(EMPTY_BLOB_HASH)).length).toBe(0);
  });

  it('stores a blob once per session and across sessions; a session with nothing new writes no files', async () => {
    const store = await tempStore();
    const data = sourceLike(2, 10_000);
    const first = store.startWrite();
    await first.add(data);
    await first.add(Buffer.from(data));
    expect(await first.commit()).toMatchObject({ blobs: 1, rawBytes: data.length });
    const files = await packFiles(store);
    expect(files).toHaveLength(2);

    const second = (await ContentStore.open(store.dir)).startWrite();
    expect(await second.add(data)).toBe(hashBlob(data));
    expect(await second.commit()).toEqual({ blobs: 0, rawBytes: 0, storedBytes: 0 });
    expect(await packFiles(store)).toEqual(files);
  });

  it('sees packs another store instance committed after it loaded its index', async () => {
    const store = await tempStore();
    const other = await ContentStore.open(store.dir);
    const first = store.startWrite();
    const a = await first.add(Buffer.from('a'));
    await first.commit();
    expect(await other.has(a)).toBe(true);
    const second = store.startWrite();
    const b = await second.add(Buffer.from('b'));
    await second.commit();
    expect((await other.read(b)).toString()).toBe('b');
  });

  it('reports an unknown blob as not found and a malformed hash as invalid', async () => {
    const store = await tempStore();
    const unknown = hashBlob(Buffer.from('never stored'));
    expect(await store.has(unknown)).toBe(false);
    await expect(store.read(unknown)).rejects.toMatchObject({
      code: 'not_found',
      message: `blob ${unknown} is not in the snapshot store at ${store.dir}`,
    });
    await expect(store.has('../../etc/passwd')).rejects.toMatchObject({ code: 'invalid' });
  });

  it('lets small blobs share frames, compressing them together better than per-file gzip', async () => {
    const { gzipSync } = await import('node:zlib');
    const store = await tempStore();
    const files = Array.from({ length: 400 }, (_, i) => sourceLike(i + 10, 500 + ((i * 37) % 4000)));
    const writer = store.startWrite();
    for (const file of files) await writer.add(file);
    const totals = await writer.commit();
    const [index] = await packIndexes(store);
    expect(index?.blobs).toHaveLength(400);
    expect(index?.frames.length).toBeLessThan(5);
    expect(index?.frames.every((frame) => frame.codec === preferredCodec())).toBe(true);
    const perFileGzip = files.reduce((sum, file) => sum + gzipSync(file).length, 0);
    // storedBytes counts the index too (about 100 bytes per blob).
    expect(totals.storedBytes).toBeLessThan(perFileGzip);
    expect(index?.pack_size).toBeLessThan(perFileGzip * 0.75);
  });

  it('stores incompressible frames raw, recording the codec per frame', async () => {
    const store = await tempStore();
    const random = randomBytes(1536 * 1024);
    const text = sourceLike(3, 600 * 1024);
    const writer = store.startWrite();
    await writer.add(random);
    await writer.add(text);
    await writer.commit();
    const [index] = await packIndexes(store);
    expect(index?.frames.map((frame) => frame.codec)).toEqual(['raw', 'raw', preferredCodec()]);
    expect((await store.read(hashBlob(random))).equals(random)).toBe(true);
    expect((await store.read(hashBlob(text))).equals(text)).toBe(true);
  });
});

describe('ContentStore refs', () => {
  it('writes, reads, lists and deletes refs', async () => {
    const store = await tempStore();
    expect(await store.readRef('snap_0123456789ab')).toBeUndefined();
    await store.writeRef('snap_0123456789ab', { root: 'abc', files: 3 });
    await store.writeRef('safety.latest', { root: 'def' });
    expect(await store.readRef('snap_0123456789ab')).toEqual({ root: 'abc', files: 3 });
    expect(await store.listRefs()).toEqual(['safety.latest', 'snap_0123456789ab']);
    await store.deleteRef('safety.latest');
    await store.deleteRef('safety.latest');
    expect(await store.listRefs()).toEqual(['snap_0123456789ab']);
  });

  it('rejects names that could leave refs/ or look like temp files', async () => {
    const store = await tempStore();
    for (const name of ['../x', 'a/b', '.hidden', '', 'x'.repeat(129)]) {
      await expect(store.writeRef(name, 1)).rejects.toMatchObject({ code: 'invalid' });
    }
    await store.writeRef('kept', true);
    await writeFile(join(store.dir, 'refs', '.kept.json.1234.tmp'), '{}');
    expect(await store.listRefs()).toEqual(['kept']);
  });
});

describe('ContentStore.lock', () => {
  it('is the store-wide cross-process lock in store.lock', async () => {
    const store = await tempStore();
    const lock = await store.lock();
    expect(await readdir(store.dir)).toContain('store.lock');
    await expect(store.lock({ timeoutMs: 0 })).rejects.toMatchObject({ code: 'lock_timeout' });
    await lock.release();
    await (await store.lock({ timeoutMs: 0 })).release();
  });
});
