import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlobChangedError } from './errors.js';
import { hashBlob } from './hash.js';
import { FRAME_RAW_SIZE } from './pack-format.js';
import { chunksOf, packFiles, packIndexes, sourceLike, tempStore } from './test-support/temp-store.js';

describe('BlobWriter.addStream', () => {
  it('returns false without reading the chunks when the blob is stored, true after storing it', async () => {
    const store = await tempStore();
    const data = sourceLike(1, 300_000);
    const hash = hashBlob(data);
    const first = store.startWrite();
    const chunks = chunksOf(data);
    expect(await first.addStream(hash, data.length, chunks)).toBe(true);
    expect(chunks.consumed).toBe(true);
    const again = chunksOf(data);
    expect(await first.addStream(hash, data.length, again)).toBe(false);
    expect(again.consumed).toBe(false);
    await first.commit();
    expect((await store.read(hash)).equals(data)).toBe(true);

    const second = store.startWrite();
    const later = chunksOf(data);
    expect(await second.addStream(hash, data.length, later)).toBe(false);
    expect(later.consumed).toBe(false);
    expect(await second.commit()).toEqual({ blobs: 0, rawBytes: 0, storedBytes: 0 });
  });

  it('throws BlobChangedError when content or size differ, stores nothing for it, and stays usable', async () => {
    const store = await tempStore();
    const data = sourceLike(2, 200_000);
    const hash = hashBlob(data);
    const changed = Buffer.from(data);
    changed[1000] = 0x21;
    const writer = store.startWrite();

    const error = await writer.addStream(hash, data.length, chunksOf(changed)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlobChangedError);
    expect(error).toMatchObject({
      code: 'changed',
      message: `content of blob ${hash} changed while it was being stored (sha256 ${hashBlob(changed)} instead of ${hash})`,
    });
    await expect(writer.addStream(hash, data.length, chunksOf(data.subarray(1)))).rejects.toMatchObject({
      message: `content of blob ${hash} changed while it was being stored (${data.length - 1} bytes instead of ${data.length})`,
    });
    await expect(writer.addStream(hash, data.length - 10, chunksOf(data))).rejects.toBeInstanceOf(
      BlobChangedError,
    );

    const other = await writer.add(Buffer.from('still usable'));
    expect(await writer.commit()).toMatchObject({ blobs: 1 });
    expect(await store.has(hash)).toBe(false);
    expect((await store.read(other)).toString()).toBe('still usable');
  });

  it('lets an error of the chunks themselves through, keeping the session usable', async () => {
    const store = await tempStore();
    const writer = store.startWrite();
    const failing = {
      async *[Symbol.asyncIterator]() {
        yield Buffer.from('part');
        throw new Error('EIO: the file could not be read');
      },
    };
    await expect(writer.addStream(hashBlob(Buffer.from('x')), 10, failing)).rejects.toThrow('EIO');
    await writer.add(Buffer.from('next'));
    expect(await writer.commit()).toMatchObject({ blobs: 1 });
  });

  it('rejects a malformed hash or size before reading anything', async () => {
    const writer = (await tempStore()).startWrite();
    const chunks = chunksOf(Buffer.from('x'));
    await expect(writer.addStream('abc', 1, chunks)).rejects.toMatchObject({ code: 'invalid' });
    await expect(writer.addStream(hashBlob(Buffer.from('x')), -1, chunks)).rejects.toMatchObject({
      code: 'invalid',
    });
    expect(chunks.consumed).toBe(false);
    await writer.abort();
  });
});

describe('BlobWriter sessions', () => {
  it('abort() leaves no file behind and ends the session; a second abort or one after commit is harmless', async () => {
    const store = await tempStore();
    const writer = store.startWrite();
    await writer.add(randomBytes(3 * FRAME_RAW_SIZE));
    expect(await packFiles(store)).toHaveLength(1); // the temp pack
    await writer.abort();
    await writer.abort();
    expect(await packFiles(store)).toEqual([]);
    await expect(writer.add(Buffer.from('late'))).rejects.toMatchObject({
      code: 'invalid',
      message: 'this write session is already aborted',
    });

    const committed = store.startWrite();
    await committed.add(Buffer.from('kept'));
    await committed.commit();
    await committed.abort();
    expect(await store.has(hashBlob(Buffer.from('kept')))).toBe(true);
  });

  it('runs overlapping calls one at a time, so every blob reads back intact', async () => {
    const store = await tempStore();
    const writer = store.startWrite();
    const blobs = Array.from({ length: 50 }, (_, i) => sourceLike(i, 20_000 + i * 1000));
    const big = randomBytes(2 * FRAME_RAW_SIZE + 5);
    const hashes = await Promise.all([
      ...blobs.map((blob) => writer.add(blob)),
      writer.addStream(hashBlob(big), big.length, chunksOf(big)).then(() => hashBlob(big)),
    ]);
    await writer.commit();
    await store.readMany(hashes, (hash, data) => {
      expect(hashBlob(data)).toBe(hash);
    });
    expect(await store.stats()).toMatchObject({ blobs: 51, packs: 1 });
  });

  it('starts a new frame for a blob that would straddle a frame at least half full, and not otherwise', async () => {
    const store = await tempStore();
    const writer = store.startWrite();
    const kib = 1024;
    await writer.add(sourceLike(1, 600 * kib)); // frame 0: 600 KiB
    await writer.add(sourceLike(2, 500 * kib)); // would straddle a half-full frame: starts frame 1
    await writer.add(sourceLike(3, 100 * kib)); // fits in frame 1
    await writer.add(sourceLike(4, 500 * kib)); // frame 1 holds 600 KiB: starts frame 2
    await writer.add(sourceLike(5, 3000 * kib)); // larger than a frame: spans frames from where it is
    await writer.commit();
    const [index] = await packIndexes(store);
    expect(index?.frames.map((frame) => frame.raw_length)).toEqual([
      600 * kib,
      600 * kib,
      FRAME_RAW_SIZE,
      FRAME_RAW_SIZE,
      FRAME_RAW_SIZE,
      4700 * kib - 1200 * kib - 3 * FRAME_RAW_SIZE,
    ]);
    expect(index?.blobs.map((blob) => blob.raw_offset / kib)).toEqual([0, 600, 1100, 1200, 1700]);
  });

  it('fails commit, making nothing visible, when its temp pack was deleted underneath it', async () => {
    const store = await tempStore();
    const writer = store.startWrite();
    await writer.add(sourceLike(1, 10_000));
    const [temp] = await packFiles(store);
    await rm(join(store.dir, 'packs', temp as string));
    await expect(writer.commit()).rejects.toMatchObject({ code: 'io' });
    expect(await packFiles(store)).toEqual([]);
    await expect(writer.add(Buffer.from('x'))).rejects.toMatchObject({ code: 'io' });
  });
});
