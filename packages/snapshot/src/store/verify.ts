import { createHash } from 'node:crypto';
import { reasonOf } from './errors.js';
import { FrameCursor, FrameError, PackReader } from './pack-reader.js';
import type { LoadedPack, StoreIndex } from './store-index.js';
import type { StoreLayout } from './store-layout.js';
import type { VerifyOptions, VerifyProblem } from './types.js';

/**
 * Reads every frame of every pack (checksum, decompression) and hashes every blob; reports blobs whose
 * pack is missing or short, and pack indexes that cannot be read. Problems are returned, not thrown.
 */
export async function verifyStore(
  layout: StoreLayout,
  index: StoreIndex,
  options: VerifyOptions = {},
): Promise<VerifyProblem[]> {
  await index.refresh({ recheck: true });
  const problems: VerifyProblem[] = [];
  for (const damaged of index.damaged.sort((a, b) => a.id.localeCompare(b.id))) {
    if (damaged.index === undefined) {
      problems.push({ hash: '', kind: damaged.kind, pack: damaged.id, message: damaged.reason });
      continue;
    }
    for (const blob of damaged.index.blobs) {
      problems.push({
        hash: blob.hash,
        kind: damaged.kind,
        pack: damaged.id,
        message: `blob ${blob.hash}: ${damaged.reason}`,
      });
    }
  }

  const packs = index.packs.sort((a, b) => a.id.localeCompare(b.id));
  const total = packs.reduce((sum, pack) => sum + pack.index.blobs.reduce((s, blob) => s + blob.size, 0), 0);
  let done = 0;
  const progress = (bytes: number) => {
    done += bytes;
    options.onProgress?.(done, total);
  };
  for (const pack of packs) problems.push(...(await verifyPack(layout, pack, progress)));
  return problems;
}

async function verifyPack(
  layout: StoreLayout,
  pack: LoadedPack,
  progress: (bytes: number) => void,
): Promise<VerifyProblem[]> {
  const problems: VerifyProblem[] = [];
  const blobs = [...pack.index.blobs].sort((a, b) => a.raw_offset - b.raw_offset);
  const reportAll = (kind: VerifyProblem['kind'], reason: string) => {
    for (const blob of blobs) {
      problems.push({ hash: blob.hash, kind, pack: pack.id, message: `blob ${blob.hash}: ${reason}` });
      progress(blob.size);
    }
    return problems;
  };

  let reader: PackReader;
  try {
    reader = await PackReader.open(layout, pack);
  } catch (error) {
    return reportAll('missing', reasonOf(error));
  }
  try {
    try {
      await reader.checkHeader();
    } catch (error) {
      return reportAll('corrupt', `${reader.file}: ${reasonOf(error)}`);
    }
    const cursor = new FrameCursor(reader, blobs);
    for (const blob of blobs) {
      try {
        const hasher = createHash('sha256');
        for await (const chunk of cursor.blobChunks(blob)) hasher.update(chunk);
        const actual = hasher.digest('hex');
        if (actual !== blob.hash) {
          problems.push({
            hash: blob.hash,
            kind: 'corrupt',
            pack: pack.id,
            message: `blob ${blob.hash} in pack ${pack.id} is corrupt: its content hashes to ${actual}`,
          });
        }
      } catch (error) {
        if (!(error instanceof FrameError)) throw error;
        problems.push({
          hash: blob.hash,
          kind: error.kind,
          pack: pack.id,
          message: `blob ${blob.hash}: ${error.message}`,
        });
      }
      progress(blob.size);
    }
  } finally {
    await reader.close();
  }
  return problems;
}
