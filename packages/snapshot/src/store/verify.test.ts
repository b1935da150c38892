import { randomBytes } from 'node:crypto';
import { rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentStore } from './content-store.js';
import { FRAME_HEADER_SIZE } from './pack-format.js';
import { flipByte, packIndexes, sourceLike, tempStore } from './test-support/temp-store.js';

/** A store with one pack: small blobs in frame 0, a random blob over frames 0–2, small blobs in frame 2. */
async function storeWithFrames() {
  const store = await tempStore();
  const writer = store.startWrite();
  const head: string[] = [];
  const tail: string[] = [];
  for (let i = 0; i < 20; i++) head.push(await writer.add(sourceLike(i, 5000)));
  const large = await writer.add(randomBytes(2_500_000));
  for (let i = 20; i < 30; i++) tail.push(await writer.add(sourceLike(i, 5000)));
  await writer.commit();
  const [index] = await packIndexes(store);
  if (index === undefined) throw new Error('no pack');
  return { store, index, head, large, tail, packFile: join(store.dir, 'packs', `${index.pack}.pack`) };
}

describe('ContentStore.verify', () => {
  it('finds nothing wrong in a sound store, reporting progress in raw bytes up to the total', async () => {
    const { store } = await storeWithFrames();
    const progress: Array<[number, number]> = [];
    expect(await store.verify({ onProgress: (done, total) => progress.push([done, total]) })).toEqual([]);
    expect(progress).toHaveLength(31);
    expect(progress.at(-1)).toEqual([30 * 5000 + 2_500_000, 30 * 5000 + 2_500_000]);
  });

  it('names every blob in a frame with a flipped byte, and reads of them fail naming blob and pack', async () => {
    const { store, index, head, large, tail, packFile } = await storeWithFrames();
    await flipByte(packFile, (index.frames[0]?.offset ?? 0) + FRAME_HEADER_SIZE + 100);

    const problems = await store.verify();
    expect(problems.map((p) => p.hash).sort()).toEqual([...head, large].sort());
    expect(problems[0]).toMatchObject({
      kind: 'corrupt',
      pack: index.pack,
      message: expect.stringMatching(
        new RegExp(`^blob [0-9a-f]{64}: frame 0 \\(bytes 16–\\d+ of ${packFile}\\): checksum mismatch$`),
      ),
    });
    await expect(store.read(head[3] as string)).rejects.toMatchObject({
      code: 'corrupt',
      message: expect.stringContaining(`blob ${head[3]} in pack ${index.pack} cannot be read: frame 0`),
    });
    await expect(store.read(large)).rejects.toMatchObject({ code: 'corrupt' });
    let intact = 0;
    await store.readMany(tail, () => {
      intact++;
    });
    expect(intact).toBe(10);
  });

  it('reports the blobs of a truncated pack as missing, and no longer offers them', async () => {
    const { store, index, head, large, packFile } = await storeWithFrames();
    await truncate(packFile, (index.frames[2]?.offset ?? 0) + 10);
    const reopened = await ContentStore.open(store.dir);
    const problems = await reopened.verify();
    expect(problems).toHaveLength(31);
    expect(problems.every((p) => p.kind === 'missing' && p.pack === index.pack)).toBe(true);
    expect(problems.find((p) => p.hash === large)?.message).toMatch(/is short: \d+ of \d+ bytes$/);
    // So the next snapshot stores them again instead of trusting a pack that lost them.
    expect(await reopened.has(head[0] as string)).toBe(false);
  });

  it('reports blobs whose pack file is gone, and an index that cannot be read', async () => {
    const { store, index, packFile } = await storeWithFrames();
    await rm(packFile);
    const problems = await store.verify();
    expect(problems).toHaveLength(31);
    expect(problems[0]?.message).toMatch(/: pack file .* is missing$/);

    const indexFile = join(store.dir, 'packs', `${index.pack}.idx`);
    await writeFile(indexFile, '{"format":1,');
    expect(await store.verify()).toEqual([
      {
        hash: '',
        kind: 'corrupt',
        pack: index.pack,
        message: expect.stringMatching(new RegExp(`^${indexFile} is corrupted \\(`)),
      },
    ]);
  });
});
