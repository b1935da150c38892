import { describe, expect, it } from 'vitest';
import { EMPTY_BLOB_HASH, hashBlob } from './hash.js';
import {
  checkPackHeader,
  decodeFrameHeader,
  encodeFrameHeader,
  encodePackHeader,
  FRAME_HEADER_SIZE,
  frameChecksum,
  PACK_HEADER_SIZE,
} from './pack-format.js';
import { framesOverlapping, type PackIndexFile, parsePackIndex, serializePackIndex } from './pack-index.js';

describe('pack and frame headers', () => {
  it('encodes a 16-byte pack header that checks, and rejects other bytes', () => {
    const header = encodePackHeader();
    expect(header).toHaveLength(PACK_HEADER_SIZE);
    expect(header.subarray(0, 8).toString('latin1')).toBe('MOATPACK');
    expect(() => checkPackHeader(header)).not.toThrow();
    expect(() => checkPackHeader(Buffer.from('PK\x03\x04 not a pack'))).toThrow(
      'not a moat pack (bad magic)',
    );
    const future = Buffer.from(header);
    future.writeUInt32BE(2, 8);
    expect(() => checkPackHeader(future)).toThrow('pack format 2 is not supported');
  });

  it('round-trips a 32-byte frame header', () => {
    const stored = Buffer.from('compressed bytes');
    const header = {
      codec: 'brotli' as const,
      rawLength: 1048576,
      storedLength: stored.length,
      checksum: frameChecksum(stored),
    };
    const bytes = encodeFrameHeader(header);
    expect(bytes).toHaveLength(FRAME_HEADER_SIZE);
    expect(decodeFrameHeader(bytes)).toEqual(header);
    expect(() => decodeFrameHeader(Buffer.alloc(FRAME_HEADER_SIZE))).toThrow('bad frame header magic');
    bytes[4] = 9;
    expect(() => decodeFrameHeader(bytes)).toThrow('unknown codec id 9');
  });
});

describe('pack index', () => {
  const index: PackIndexFile = {
    format: 1,
    pack: '0123456789abcdef0123456789abcdef',
    pack_size: PACK_HEADER_SIZE + 2 * FRAME_HEADER_SIZE + 300 + 40,
    created_at: '2025-03-01T10:00:00.000Z',
    frames: [
      { offset: PACK_HEADER_SIZE, stored_length: 300, raw_offset: 0, raw_length: 1000, codec: 'brotli' },
      {
        offset: PACK_HEADER_SIZE + FRAME_HEADER_SIZE + 300,
        stored_length: 40,
        raw_offset: 1000,
        raw_length: 40,
        codec: 'raw',
      },
    ],
    blobs: [
      { hash: hashBlob(Buffer.from('a')), raw_offset: 0, size: 990 },
      { hash: EMPTY_BLOB_HASH.replace('e', 'f'), raw_offset: 990, size: 50 },
    ],
  };

  it('serializes one frame or blob per line and parses back', () => {
    const text = serializePackIndex(index);
    expect(text.split('\n')).toHaveLength(10);
    expect(parsePackIndex(text, index.pack)).toEqual(index);
  });

  it('rejects indexes whose offsets readers could not trust', () => {
    const text = (change: (copy: PackIndexFile) => void) => {
      const copy = structuredClone(index);
      change(copy);
      return JSON.stringify(copy);
    };
    expect(() => parsePackIndex(JSON.stringify(index), 'ffffffffffffffffffffffffffffffff')).toThrow(
      /names pack 0123/,
    );
    expect(() =>
      parsePackIndex(
        text((c) => ((c.frames[1] as { offset: number }).offset += 1)),
        index.pack,
      ),
    ).toThrow('frame 1 is not where the previous one ends');
    expect(() =>
      parsePackIndex(
        text((c) => (c.pack_size += 1)),
        index.pack,
      ),
    ).toThrow(/"pack_size" is/);
    expect(() =>
      parsePackIndex(
        text((c) => ((c.blobs[1] as { size: number }).size = 51)),
        index.pack,
      ),
    ).toThrow('blob 1 ends past the raw stream (1040 bytes)');
    expect(() =>
      parsePackIndex(
        text((c) => ((c.blobs[0] as { hash: string }).hash = '../x')),
        index.pack,
      ),
    ).toThrow('blob 0 has a malformed hash');
    expect(() =>
      parsePackIndex(
        text((c) => Object.assign(c, { format: 2 })),
        index.pack,
      ),
    ).toThrow('index format 2 is not supported');
  });

  it('finds the frames a raw range overlaps', () => {
    expect(framesOverlapping(index.frames, 0, 990)).toEqual([0]);
    expect(framesOverlapping(index.frames, 990, 50)).toEqual([0, 1]);
    expect(framesOverlapping(index.frames, 1000, 40)).toEqual([1]);
    expect(framesOverlapping(index.frames, 1000, 0)).toEqual([]);
  });
});
