import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../errors.js';
import { runChild } from '../test-support/children.js';
import { tempDir } from '../test-support/temp-dir.js';
import { writeFileAtomic } from './write-file-atomic.js';

describe('writeFileAtomic', () => {
  it('creates a 0600 file, and missing parent directories with mode 0700', async () => {
    const dir = await tempDir();
    const file = join(dir, 'a', 'b', 'state.json');
    await writeFileAtomic(file, 'hello');
    expect(await readFile(file, 'utf8')).toBe('hello');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'a'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'a', 'b'))).mode & 0o777).toBe(0o700);
  });

  it('replaces existing content, with the mode asked for, and leaves no temp file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'f');
    await writeFile(file, 'old old old');
    await writeFileAtomic(file, new Uint8Array([110, 101, 119]), { mode: 0o640 });
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect(await readdir(dir)).toEqual(['f']);
  });

  it('fails with an io StorageError naming the target, leaving it and no temp file, when the target is a directory', async () => {
    const dir = await tempDir();
    const target = join(dir, 'taken');
    await mkdir(target);
    await writeFile(join(target, 'inside'), 'keep');
    const error = await writeFileAtomic(target, 'data').catch((e: unknown) => e);
    expect(StorageError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'io', file: target });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^cannot write ${target} \\(.*\\); check that its directory is writable and the disk is not full$`,
      ),
    );
    expect((error as Error).cause).toMatchObject({ code: 'EISDIR' });
    expect(await readdir(dir)).toEqual(['taken']);
    expect(await readFile(join(target, 'inside'), 'utf8')).toBe('keep');
  });

  it('fails when a parent path is a file, creating nothing', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), 'x');
    await expect(writeFileAtomic(join(dir, 'file', 'sub', 'f'), 'data')).rejects.toMatchObject({
      code: 'io',
      file: join(dir, 'file', 'sub', 'f'),
    });
    expect(await readdir(dir)).toEqual(['file']);
  });

  it('keeps the old content and removes the temp file when writing fails midway (file size limit)', async () => {
    const dir = await tempDir();
    const file = join(dir, 'state');
    await writeFile(file, 'old content');
    // `ulimit -f 8` caps files at 4 KiB: the 1 MiB temp file write fails with EFBIG part way, as root too.
    const { stdout } = await runChild('atomic-write.mjs', [file, String(1024 * 1024)], 'ulimit -f 8');
    const outcome = JSON.parse(stdout);
    expect(outcome).toMatchObject({ ok: false, name: 'StorageError', code: 'io' });
    expect(outcome.message).toContain(`cannot write ${file} (EFBIG`);
    expect(await readFile(file, 'utf8')).toBe('old content');
    expect(await readdir(dir)).toEqual(['state']);
  });

  it('gives concurrent writers whole contents only: the result is one of the versions written', async () => {
    const dir = await tempDir();
    const file = join(dir, 'f');
    const versions = Array.from({ length: 20 }, (_, i) => String(i).repeat(10_000));
    await Promise.all(versions.map((v) => writeFileAtomic(file, v)));
    expect(versions).toContain(await readFile(file, 'utf8'));
    expect(await readdir(dir)).toEqual(['f']);
  });
});
