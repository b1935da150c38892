import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../errors.js';
import { tempDir } from '../test-support/temp-dir.js';
import { readJsonFile, writeJsonAtomic } from './json-file.js';

describe('writeJsonAtomic', () => {
  it('writes 2-space JSON with a trailing newline, mode 0600', async () => {
    const file = join(await tempDir(), 'v.json');
    await writeJsonAtomic(file, { a: 1, b: [true, null] });
    expect(await readFile(file, 'utf8')).toBe('{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses values that are not JSON, before touching the file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'v.json');
    await writeFile(file, '{"keep":true}\n');
    await expect(writeJsonAtomic(file, { n: 1n })).rejects.toMatchObject({
      code: 'invalid',
      message: `cannot write ${file}: the value is not JSON (Do not know how to serialize a BigInt)`,
    });
    await expect(writeJsonAtomic(file, undefined)).rejects.toMatchObject({
      code: 'invalid',
      message: `cannot write ${file}: the value is not JSON (undefined)`,
    });
    expect(await readFile(file, 'utf8')).toBe('{"keep":true}\n');
  });
});

describe('readJsonFile', () => {
  it('round-trips what writeJsonAtomic wrote', async () => {
    const file = join(await tempDir(), 'v.json');
    await writeJsonAtomic(file, { name: 'x', list: [1, 2] });
    expect(await readJsonFile(file)).toEqual({ name: 'x', list: [1, 2] });
  });

  it('returns undefined for a missing file', async () => {
    expect(await readJsonFile(join(await tempDir(), 'missing.json'))).toBeUndefined();
  });

  it('reports unparseable JSON as corrupt, naming the file, quoting the parser and saying what to do', async () => {
    const file = join(await tempDir(), 'bad.json');
    await writeFile(file, '{"a":1');
    const error = await readJsonFile(file).catch((e: unknown) => e);
    expect(StorageError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'corrupt',
      file,
      message: `${file} is corrupted (Expected ',' or '}' after property value in JSON at position 6); fix or delete it`,
    });
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it('keeps the message on one line when the parser quotes several lines', async () => {
    const file = join(await tempDir(), 'bad.json');
    await writeFile(file, '{\n  "a": }\n');
    await expect(readJsonFile(file)).rejects.toMatchObject({
      message: `${file} is corrupted (Unexpected token '}', "{\\n  "a": }\\n" is not valid JSON); fix or delete it`,
    });
  });

  it('reports an empty file as corrupt', async () => {
    const file = join(await tempDir(), 'empty.json');
    await writeFile(file, '');
    await expect(readJsonFile(file)).rejects.toMatchObject({
      code: 'corrupt',
      message: `${file} is corrupted (Unexpected end of JSON input); fix or delete it`,
    });
  });

  it('returns what validate returns, and reports its rejection as corrupt', async () => {
    const file = join(await tempDir(), 'v.json');
    await writeJsonAtomic(file, { count: 3 });
    const validate = (value: unknown): number => {
      const count = (value as { count?: unknown }).count;
      if (typeof count !== 'number') throw new Error('"count" must be a number');
      return count;
    };
    expect(await readJsonFile(file, { validate })).toBe(3);
    await writeJsonAtomic(file, { count: 'three' });
    await expect(readJsonFile(file, { validate })).rejects.toMatchObject({
      code: 'corrupt',
      message: `${file} is corrupted ("count" must be a number); fix or delete it`,
    });
  });

  it('reports a path it cannot read as io', async () => {
    const dir = join(await tempDir(), 'a-dir.json');
    await mkdir(dir);
    await expect(readJsonFile(dir)).rejects.toMatchObject({
      code: 'io',
      file: dir,
      message: `cannot read ${dir} (EISDIR: illegal operation on a directory, read); check its permissions`,
    });
  });
});
