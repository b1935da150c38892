import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressFrame, decompressFrame, preferredCodec } from './codec.js';
import { sourceLike } from './test-support/temp-store.js';

describe('frame codec', () => {
  it('prefers zstd when the runtime has it, brotli otherwise', async () => {
    const hasZstd = 'zstdCompress' in zlib;
    expect(preferredCodec()).toBe(hasZstd ? 'zstd' : 'brotli');
    if (!hasZstd) {
      await expect(decompressFrame('zstd', Buffer.from('x'), 1)).rejects.toThrow(
        `frame is zstd-compressed, which needs Node 22.15 or newer (this is ${process.version})`,
      );
    }
  });

  it('compresses text and decompresses it to the same bytes', async () => {
    const raw = sourceLike(1, 200_000);
    const frame = await compressFrame(raw);
    expect(frame.codec).toBe(preferredCodec());
    expect(frame.stored.length).toBeLessThan(raw.length / 3);
    expect((await decompressFrame(frame.codec, frame.stored, raw.length)).equals(raw)).toBe(true);
  });

  it('keeps incompressible data raw', async () => {
    const raw = randomBytes(100_000);
    expect(await compressFrame(raw)).toEqual({ codec: 'raw', stored: raw });
  });

  it('refuses a frame that does not decode to the length the index says', async () => {
    const raw = sourceLike(2, 10_000);
    const frame = await compressFrame(raw);
    await expect(decompressFrame(frame.codec, frame.stored, raw.length - 1)).rejects.toThrow();
    await expect(decompressFrame(frame.codec, frame.stored, raw.length + 1)).rejects.toThrow(
      `decompressed to ${raw.length} bytes, expected ${raw.length + 1}`,
    );
    await expect(decompressFrame('brotli', Buffer.from('garbage'), 10)).rejects.toThrow();
  });
});
