import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/workspace.js';
import { ParallelWriter } from './parallel-writer.js';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('ParallelWriter', () => {
  it('writes every file with its content, mode and mtime, across directories', async () => {
    const root = tempDir();
    for (let d = 0; d < 5; d++) mkdirSync(join(root, `d${d}`));
    let written = 0;
    const writer = ParallelWriter.start((count) => {
      written += count;
    });
    for (let i = 0; i < 600; i++) {
      const data = Buffer.from(`file ${i}\n`);
      await writer.write(
        {
          target: join(root, `d${i % 5}`, `f${i}`),
          temp: null,
          mode: 0o640,
          mtimeUs: 1_700_000_000_123_456 + i,
          setMode: true,
          hash: sha256(data),
        },
        data,
      );
    }
    await writer.finish();
    expect(written).toBe(600);
    const stat = lstatSync(join(root, 'd3', 'f598'), { bigint: true });
    expect(readFileSync(join(root, 'd3', 'f598'), 'utf8')).toBe('file 598\n');
    expect(Number(stat.mode & 0o777n)).toBe(0o640);
    expect(stat.mtimeNs).toBe((1_700_000_000_123_456n + 598n) * 1000n);
  });

  it('writes nothing of a blob whose content does not match its hash, and says which', async () => {
    const root = tempDir();
    const writer = ParallelWriter.start(() => {});
    const data = Buffer.from('tampered\n');
    const claimed = sha256(Buffer.from('original\n'));
    await writer.write(
      { target: join(root, 'f'), temp: null, mode: 0o644, mtimeUs: 0, setMode: false, hash: claimed },
      data,
    );
    await expect(writer.finish()).rejects.toMatchObject({
      code: 'corrupt',
      message: `blob ${claimed} is corrupt: its content hashes to ${sha256(data)}`,
    });
    expect(existsSync(join(root, 'f'))).toBe(false);
  });
});
