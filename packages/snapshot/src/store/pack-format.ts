import { createHash } from 'node:crypto';
import type { Codec } from './types.js';

/*
 * Binary layout of a pack file (all integers big-endian):
 *
 *   pack header, 16 bytes:  "MOATPACK" | u32 format version | u32 reserved (0)
 *   frames back to back, each:
 *     frame header, 32 bytes: "MFRM" | u8 codec | 3 reserved (0) | u32 raw length | u32 stored length
 *                             | first 16 bytes of sha256(stored bytes)
 *     stored bytes: the frame's raw bytes, compressed with the codec
 *
 * The pack's .idx says where each frame and blob is; the headers make a pack checkable on its own.
 */

const PACK_FORMAT_VERSION = 1;
export const PACK_HEADER_SIZE = 16;
export const FRAME_HEADER_SIZE = 32;
/** Frames hold about this much raw data: small blobs share one, large blobs span several. */
export const FRAME_RAW_SIZE = 1024 * 1024;
/** Upper bound a reader accepts for a frame's lengths, so a damaged index cannot make it allocate gigabytes. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

const PACK_MAGIC = Buffer.from('MOATPACK', 'latin1');
const FRAME_MAGIC = Buffer.from('MFRM', 'latin1');
const CHECKSUM_BYTES = 16;
const CODEC_IDS: readonly Codec[] = ['raw', 'gzip', 'brotli', 'zstd'];

export interface FrameHeader {
  codec: Codec;
  rawLength: number;
  storedLength: number;
  checksum: Buffer;
}

export function encodePackHeader(): Buffer {
  const header = Buffer.alloc(PACK_HEADER_SIZE);
  PACK_MAGIC.copy(header, 0);
  header.writeUInt32BE(PACK_FORMAT_VERSION, 8);
  return header;
}

/** Throws a reason (an Error with a short message) when `bytes` do not start a pack this code reads. */
export function checkPackHeader(bytes: Uint8Array): void {
  const header = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (header.length < PACK_HEADER_SIZE || !header.subarray(0, 8).equals(PACK_MAGIC)) {
    throw new Error('not a moat pack (bad magic)');
  }
  const version = header.readUInt32BE(8);
  if (version !== PACK_FORMAT_VERSION) throw new Error(`pack format ${version} is not supported`);
}

/** First bytes of sha256: cheap next to decompression, and available on every Node (crc32 is not on 20.11). */
export function frameChecksum(stored: Uint8Array): Buffer {
  return createHash('sha256').update(stored).digest().subarray(0, CHECKSUM_BYTES);
}

export function encodeFrameHeader(frame: FrameHeader): Buffer {
  const header = Buffer.alloc(FRAME_HEADER_SIZE);
  FRAME_MAGIC.copy(header, 0);
  header.writeUInt8(CODEC_IDS.indexOf(frame.codec), 4);
  header.writeUInt32BE(frame.rawLength, 8);
  header.writeUInt32BE(frame.storedLength, 12);
  frame.checksum.copy(header, 16, 0, CHECKSUM_BYTES);
  return header;
}

/** Throws a reason when `bytes` are not a frame header. */
export function decodeFrameHeader(bytes: Uint8Array): FrameHeader {
  const header = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (header.length < FRAME_HEADER_SIZE || !header.subarray(0, 4).equals(FRAME_MAGIC)) {
    throw new Error('bad frame header magic');
  }
  const codec = CODEC_IDS[header.readUInt8(4)];
  if (codec === undefined) throw new Error(`unknown codec id ${header.readUInt8(4)}`);
  return {
    codec,
    rawLength: header.readUInt32BE(8),
    storedLength: header.readUInt32BE(12),
    checksum: Buffer.from(header.subarray(16, 16 + CHECKSUM_BYTES)),
  };
}
