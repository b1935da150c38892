import { randomBytes } from 'node:crypto';
import { rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentStore } from './content-store.js';
import { GARBAGE_MIN_AGE_MS } from './garbage.js';
import { MAX_SMALL_PACKS } from './gc-plan.js';
import { hashBlob } from './hash.js';
import { flipByte, packFiles, packIndexes, sourceLike, tempStore } from './test-support/temp-store.js';

async function storeBlobs(store: ContentStore, blobs: readonly Buffer[]): Promise<string[]> {
  const writer = store.startWrite();
  const hashes: string[] = [];
  for (const blob of blobs) hashes.push(await writer.add(blob));
  await writer.commit();
  return hashes;
}

async function age(file: string): Promise<void> {
  const old = new Date(Date.now() - GARBAGE_MIN_AGE_MS - 60_000);
  await utimes(file, old, old);
}

describe('ContentStore.gc: crash leftovers', () => {
  it('never shows a pack without index, and removes it once it is old enough to be no writer’s', async () => {
    const store = await tempStore();
    const [hash] = await storeBlobs(store, [Buffer.from('orphaned by a crash')]);
    const [idx] = (await packFiles(store)).filter((name) => name.endsWith('.idx'));
    await rm(join(store.dir, 'packs', idx as string));
    const fresh = await ContentStore.open(store.dir);
    expect(await fresh.has(hash as string)).toBe(false);
    expect(await fresh.stats()).toEqual({ blobs: 0, packs: 0, bytes: 0 });

    expect(await fresh.gc(new Set([hash as string]))).toEqual({ removedBlobs: 0, freedBytes: 0 });
    const [pack] = await packFiles(store);
    expect(pack).toMatch(/^[0-9a-f]{32}\.pack$/);
    await age(join(store.dir, 'packs', pack as string));
    const result = await fresh.gc(new Set());
    expect(result.freedBytes).toBeGreaterThan(0);
    expect(await packFiles(store)).toEqual([]);
  });

  it('removes old temp files of crashed writers in packs/ and refs/, and leaves young ones alone', async () => {
    const store = await tempStore();
    const oldTemp = join(store.dir, 'packs', '.tmp-0123456789abcdef.pack');
    const youngTemp = join(store.dir, 'packs', '.tmp-fedcba9876543210.pack');
    const oldRefTemp = join(store.dir, 'refs', '.snap_x.json.a1b2c3.tmp');
    await writeFile(oldTemp, randomBytes(1000));
    await writeFile(youngTemp, randomBytes(10));
    await writeFile(oldRefTemp, '{');
    await age(oldTemp);
    await age(oldRefTemp);

    expect(await store.gc(new Set(), { dryRun: true })).toEqual({ removedBlobs: 0, freedBytes: 1001 });
    expect(await packFiles(store)).toHaveLength(2);
    expect(await store.gc(new Set())).toEqual({ removedBlobs: 0, freedBytes: 1001 });
    expect(await packFiles(store)).toEqual(['.tmp-fedcba9876543210.pack']);
    expect(await store.listRefs()).toEqual([]);
  });
});

describe('ContentStore.gc: damaged packs', () => {
  it('removes the index of a lost pack once none of its blobs is live, and keeps it while one is', async () => {
    const store = await tempStore();
    const [lost] = await storeBlobs(store, [Buffer.from('in a pack that will vanish')]);
    const [index] = await packIndexes(store);
    await rm(join(store.dir, 'packs', `${index?.pack}.pack`));
    await store.gc(new Set([lost as string]));
    expect(await packFiles(store)).toEqual([`${index?.pack}.idx`]);
    expect(await store.verify()).toHaveLength(1);
    await store.gc(new Set());
    expect(await packFiles(store)).toEqual([]);
    expect(await store.verify()).toEqual([]);
  });
});

describe('BlobWriter.commit: crash leftovers', () => {
  it('removes old temp files too, so they never pile up between gc runs', async () => {
    const store = await tempStore();
    const oldTemp = join(store.dir, 'packs', '.tmp-0123456789abcdef.pack');
    await writeFile(oldTemp, randomBytes(1000));
    await age(oldTemp);
    await storeBlobs(store, [Buffer.from('a new blob')]);
    expect((await packFiles(store)).filter((name) => name.startsWith('.'))).toEqual([]);
  });
});

describe('ContentStore.gc: dead blobs', () => {
  it('deletes packs with no live blob, keeps packs that are mostly live, and repacks mostly dead ones', async () => {
    const store = await tempStore();
    const dead = await storeBlobs(store, [sourceLike(1, 50_000), sourceLike(2, 50_000)]);
    const mostlyLive = [
      sourceLike(3, 100_000),
      sourceLike(4, 100_000),
      sourceLike(5, 100_000),
      sourceLike(6, 20_000),
    ];
    const mostlyLiveHashes = await storeBlobs(store, mostlyLive);
    const mostlyDead = [
      randomBytes(300_000),
      sourceLike(7, 100_000),
      randomBytes(300_000),
      sourceLike(8, 100_000),
    ];
    const mostlyDeadHashes = await storeBlobs(store, mostlyDead);
    const keptPack = (await packIndexes(store)).find(
      (index) => index.blobs[0]?.hash === mostlyLiveHashes[0],
    )?.pack;
    const before = await store.stats();

    const live = new Set([
      ...mostlyLiveHashes.slice(0, 3),
      mostlyDeadHashes[1] as string,
      mostlyDeadHashes[3] as string,
    ]);
    const preview = await store.gc(live, { dryRun: true });
    expect(await store.stats()).toEqual(before);
    const result = await store.gc(live);
    expect(result.removedBlobs).toBe(4);
    expect(preview.removedBlobs).toBe(4);
    const after = await store.stats();
    expect(result.freedBytes).toBe(before.bytes - after.bytes);
    expect(result.freedBytes).toBeGreaterThan(600_000);
    // The preview assumes dead bytes compress like the rest of their pack: here they compress worse.
    expect(preview.freedBytes).toBeGreaterThan(400_000);
    expect(after).toMatchObject({ packs: 2, blobs: 6 }); // the kept pack still holds its one dead blob

    const indexes = await packIndexes(store);
    expect(indexes.map((index) => index.pack)).toContain(keptPack);
    for (const hash of live) expect(await store.has(hash)).toBe(true);
    for (const hash of [...dead, mostlyDeadHashes[0], mostlyDeadHashes[2]])
      expect(await store.has(hash as string)).toBe(false);
    const [one, three] = [mostlyDead[1] as Buffer, mostlyDead[3] as Buffer];
    expect((await store.read(hashBlob(one))).equals(one)).toBe(true);
    expect((await store.read(hashBlob(three))).equals(three)).toBe(true);
    expect(await store.verify()).toEqual([]);
    expect((await packFiles(store)).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it(`merges more than ${MAX_SMALL_PACKS} small packs into one`, async () => {
    const store = await tempStore();
    const hashes: string[] = [];
    for (let i = 0; i <= MAX_SMALL_PACKS; i++)
      hashes.push(...(await storeBlobs(store, [sourceLike(i, 2000)])));
    expect((await store.stats()).packs).toBe(MAX_SMALL_PACKS + 1);
    expect(await store.gc(new Set(hashes))).toMatchObject({ removedBlobs: 0 });
    expect(await store.stats()).toMatchObject({ packs: 1, blobs: MAX_SMALL_PACKS + 1 });
    await store.readMany(hashes, (hash, data) => {
      expect(hashBlob(data)).toBe(hash);
    });
  });

  it('stops before deleting anything when a live blob it must copy is damaged', async () => {
    const store = await tempStore();
    const [live, deadHash] = await storeBlobs(store, [sourceLike(1, 10_000), randomBytes(100_000)]);
    const [index] = await packIndexes(store);
    const packFile = join(store.dir, 'packs', `${index?.pack}.pack`);
    await flipByte(packFile, (index?.frames[0]?.offset ?? 0) + 40);
    const files = await packFiles(store);

    await expect(store.gc(new Set([live as string]))).rejects.toMatchObject({
      code: 'corrupt',
      message: expect.stringContaining(
        `gc stopped before deleting anything: live blob ${live} in pack ${index?.pack}`,
      ),
    });
    expect(await packFiles(store)).toEqual(files);
    expect(await store.has(deadHash as string)).toBe(true);
  });
});
