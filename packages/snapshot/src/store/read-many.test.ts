import { beforeEach, describe, expect, it, vi } from 'vitest';
import { decompressFrame } from './codec.js';
import { hashBlob } from './hash.js';
import { packIndexes, sourceLike, tempStore } from './test-support/temp-store.js';

// Counts decompressions: the whole point of readMany is that a frame is decompressed once.
vi.mock('./codec.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./codec.js')>();
  return { ...original, decompressFrame: vi.fn(original.decompressFrame) };
});

beforeEach(() => {
  vi.mocked(decompressFrame).mockClear();
});

describe('ContentStore.readMany', () => {
  it('decompresses each frame once for many blobs over several packs, and delivers each blob once', async () => {
    const store = await tempStore();
    const blobs = new Map<string, Buffer>();
    for (const session of [0, 1]) {
      const writer = store.startWrite();
      for (let i = 0; i < 600; i++) {
        const data = sourceLike(session * 1000 + i, 1000 + ((i * 97) % 5000));
        blobs.set(await writer.add(data), data);
      }
      await writer.commit();
    }
    const frames = (await packIndexes(store)).reduce((sum, index) => sum + index.frames.length, 0);
    expect(frames).toBeGreaterThan(2);

    const wanted = [...blobs.keys()].reverse();
    const delivered = new Map<string, Buffer>();
    await store.readMany([...wanted, ...wanted], async (hash, data) => {
      expect(delivered.has(hash)).toBe(false);
      delivered.set(hash, data);
    });
    expect(delivered.size).toBe(blobs.size);
    for (const [hash, data] of blobs) expect(delivered.get(hash)?.equals(data)).toBe(true);
    expect(vi.mocked(decompressFrame)).toHaveBeenCalledTimes(frames);
  });

  it('decompresses only the frames the requested blobs are in', async () => {
    const store = await tempStore();
    const writer = store.startWrite();
    const hashes: string[] = [];
    for (let i = 0; i < 40; i++) hashes.push(await writer.add(sourceLike(i, 200_000)));
    await writer.commit();
    const [index] = await packIndexes(store);
    const first = index?.blobs.find((blob) => blob.hash === hashes[0]);
    const last = index?.blobs.find((blob) => blob.hash === hashes[39]);
    expect(first?.raw_offset).toBe(0);
    expect(index?.frames.length).toBeGreaterThan(3);

    let calls = 0;
    await store.readMany([hashes[0] as string, hashes[39] as string], () => {
      calls++;
    });
    expect(calls).toBe(2);
    const lastFrames = index?.frames.filter(
      (frame) =>
        frame.raw_offset < (last?.raw_offset ?? 0) + (last?.size ?? 0) &&
        frame.raw_offset + frame.raw_length > (last?.raw_offset ?? 0),
    );
    expect(vi.mocked(decompressFrame)).toHaveBeenCalledTimes(1 + (lastFrames?.length ?? 0));
  });

  it('fails before delivering anything when a blob is not stored', async () => {
    const store = await tempStore();
    const writer = store.startWrite();
    const stored = await writer.add(Buffer.from('stored'));
    await writer.commit();
    const missing = hashBlob(Buffer.from('missing'));
    const onBlob = vi.fn();
    await expect(store.readMany([stored, missing], onBlob)).rejects.toMatchObject({
      code: 'not_found',
      message: `blob ${missing} is not in the snapshot store at ${store.dir}`,
    });
    expect(onBlob).not.toHaveBeenCalled();
  });
});
