import * as zlib from 'node:zlib';
import type { Codec } from './types.js';

type Callback = (error: Error | null, result: Buffer) => void;
type AsyncZlibCall = (
  data: Uint8Array,
  options: zlib.ZlibOptions | zlib.BrotliOptions,
  callback: Callback,
) => void;

// zstd arrived in zlib with Node 22.15; @types/node for Node 20 does not declare it.
const zstd = zlib as unknown as {
  zstdCompress?: AsyncZlibCall;
  zstdDecompress?: AsyncZlibCall;
  constants: { ZSTD_c_compressionLevel?: number };
};
const ZSTD_LEVEL = 3;
const BROTLI_QUALITY = 4;
const BROTLI_WINDOW_BITS = 22;
/** zlib refuses smaller output chunks. */
const MIN_CHUNK_SIZE = 64;

/** The codec new frames are compressed with: zstd when the runtime has it, else brotli. */
export function preferredCodec(): 'zstd' | 'brotli' {
  return zstd.zstdCompress !== undefined && zstd.constants.ZSTD_c_compressionLevel !== undefined
    ? 'zstd'
    : 'brotli';
}

export interface CompressedFrame {
  codec: Codec;
  stored: Buffer;
}

/**
 * Compresses one frame with the preferred codec, in the libuv threadpool (zlib's async API), so
 * several frames compress in parallel with the caller's reads. Falls back to 'raw' when compression
 * does not shrink the frame (already compressed or random data).
 */
export async function compressFrame(raw: Buffer): Promise<CompressedFrame> {
  const codec = preferredCodec();
  // One output chunk for the whole frame: zlib's default of 16 KiB costs a threadpool round trip each.
  const chunkSize = Math.max(raw.length, MIN_CHUNK_SIZE);
  const stored =
    codec === 'zstd'
      ? await call(zstd.zstdCompress as AsyncZlibCall, raw, {
          chunkSize,
          params: { [zstd.constants.ZSTD_c_compressionLevel as number]: ZSTD_LEVEL },
        })
      : await call(zlib.brotliCompress, raw, {
          chunkSize,
          params: {
            [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
            [zlib.constants.BROTLI_PARAM_LGWIN]: BROTLI_WINDOW_BITS,
            [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
          },
        });
  return stored.length < raw.length ? { codec, stored } : { codec: 'raw', stored: raw };
}

/** Decompresses one frame; throws a reason when it does not decode to exactly `rawLength` bytes. */
export async function decompressFrame(codec: Codec, stored: Buffer, rawLength: number): Promise<Buffer> {
  // maxOutputLength bounds memory whatever a damaged frame claims; the frame's raw size is one chunk.
  const options = { maxOutputLength: Math.max(rawLength, 1), chunkSize: Math.max(rawLength, MIN_CHUNK_SIZE) };
  let raw: Buffer;
  switch (codec) {
    case 'raw':
      raw = stored;
      break;
    case 'brotli':
      raw = await call(zlib.brotliDecompress, stored, options);
      break;
    case 'gzip':
      raw = await call(zlib.gunzip, stored, options);
      break;
    case 'zstd':
      if (zstd.zstdDecompress === undefined) {
        throw new Error(
          `frame is zstd-compressed, which needs Node 22.15 or newer (this is ${process.version})`,
        );
      }
      raw = await call(zstd.zstdDecompress, stored, options);
      break;
  }
  if (raw.length !== rawLength) throw new Error(`decompressed to ${raw.length} bytes, expected ${rawLength}`);
  return raw;
}

function call(
  fn: AsyncZlibCall,
  data: Uint8Array,
  options: zlib.ZlibOptions | zlib.BrotliOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    fn(data, options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}
