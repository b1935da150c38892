import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/temp-dir.js';
import { appendJsonl, JsonlWriter } from './jsonl-writer.js';
import { readJsonl } from './read-jsonl.js';

describe('JsonlWriter', () => {
  it('appends one compact JSON line per record; the file is 0600 and new directories 0700', async () => {
    const dir = await tempDir();
    const path = join(dir, 'run', 'exec.jsonl');
    const writer = await JsonlWriter.open(path);
    await writer.append({ pid: 1, args: ['a b'], note: 'line\nbreak' });
    await writer.append({ pid: 2, args: null });
    await writer.close();
    expect(await readFile(path, 'utf8')).toBe(
      '{"pid":1,"args":["a b"],"note":"line\\nbreak"}\n{"pid":2,"args":null}\n',
    );
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'run'))).mode & 0o777).toBe(0o700);
    expect(await readJsonl(path)).toEqual({
      records: [
        { pid: 1, args: ['a b'], note: 'line\nbreak' },
        { pid: 2, args: null },
      ],
      problems: [],
    });
  });

  it('keeps call order for appends that are not awaited one by one', async () => {
    const path = join(await tempDir(), 'log.jsonl');
    const writer = await JsonlWriter.open(path);
    await Promise.all(Array.from({ length: 300 }, (_, seq) => writer.append({ seq })));
    await writer.close();
    const { records } = await readJsonl<{ seq: number }>(path);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('appendMany appends all records, after what is already there', async () => {
    const path = join(await tempDir(), 'log.jsonl');
    await writeFile(path, '{"old":true}\n');
    const writer = await JsonlWriter.open(path);
    await writer.appendMany([{ n: 1 }, { n: 2 }, { n: 3 }]);
    await writer.appendMany([]);
    await writer.close();
    expect((await readJsonl(path)).records).toEqual([{ old: true }, { n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('on opening a file torn mid-line, isolates the fragment so new records survive', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    await writeFile(path, '{"n":1}\n{"n":2,"ar');
    await appendJsonl(path, { n: 3 });
    await appendJsonl(path, { n: 4 });
    expect(await readFile(path, 'utf8')).toBe('{"n":1}\n{"n":2,"ar\n{"n":3}\n{"n":4}\n');
    const { records, problems } = await readJsonl(path);
    expect(records).toEqual([{ n: 1 }, { n: 3 }, { n: 4 }]);
    expect(problems).toMatchObject([{ line: 2, kind: 'invalid_json' }]);
  });

  it('refuses a value that is not a JSON record, writing nothing', async () => {
    const path = join(await tempDir(), 'log.jsonl');
    const writer = await JsonlWriter.open(path);
    await expect(writer.append(undefined)).rejects.toMatchObject({
      code: 'invalid',
      message: `cannot append to ${path}: the record is not JSON (undefined)`,
    });
    await expect(writer.appendMany([{ ok: 1 }, () => 1])).rejects.toMatchObject({
      code: 'invalid',
      message: `cannot append to ${path}: the record is not JSON (function)`,
    });
    await expect(writer.append({ big: 1n })).rejects.toMatchObject({
      code: 'invalid',
      message: `cannot append to ${path}: the record is not JSON (Do not know how to serialize a BigInt)`,
    });
    await writer.close();
    expect(await readFile(path, 'utf8')).toBe('');
  });

  it('refuses appends after close', async () => {
    const path = join(await tempDir(), 'log.jsonl');
    const writer = await JsonlWriter.open(path);
    await writer.close();
    await writer.close();
    await expect(writer.append({})).rejects.toMatchObject({
      code: 'invalid',
      message: `cannot append to ${path}: the writer is closed`,
    });
  });

  it('fails to open a directory with an io error naming it', async () => {
    const path = join(await tempDir(), 'dir.jsonl');
    await mkdir(path);
    await expect(JsonlWriter.open(path)).rejects.toMatchObject({
      code: 'io',
      file: path,
      message: expect.stringMatching(
        new RegExp(
          `^cannot append to ${path} \\(EISDIR.*\\); check that it is writable and the disk is not full$`,
        ),
      ),
    });
  });
});
