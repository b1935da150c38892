import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/temp-dir.js';
import { readJsonl } from './read-jsonl.js';

describe('readJsonl', () => {
  it('returns nothing for a missing file', async () => {
    expect(await readJsonl(join(await tempDir(), 'none.jsonl'))).toEqual({ records: [], problems: [] });
  });

  it('reports a torn last line and keeps the lines before it', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    await writeFile(path, '{"n":1}\n{"n":2}\n{"n":3,"args":["x');
    expect(await readJsonl(path)).toEqual({
      records: [{ n: 1 }, { n: 2 }],
      problems: [
        {
          file: path,
          line: 3,
          kind: 'torn',
          message: `${path}:3: last line has no trailing newline (a writer is still writing it or crashed mid-line); skipped`,
        },
      ],
    });
  });

  it('reports a complete last line without newline as torn too: it may still be growing', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    await writeFile(path, '{"n":1}\n{"n":2}');
    const { records, problems } = await readJsonl(path);
    expect(records).toEqual([{ n: 1 }]);
    expect(problems).toMatchObject([{ line: 2, kind: 'torn' }]);
  });

  it('skips garbage lines in the middle and reads the lines after them', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    await writeFile(path, '{"n":1}\nnot json\n\n{"n":2}\n{"n":\n[1,2]\n');
    const { records, problems } = await readJsonl(path);
    expect(records).toEqual([{ n: 1 }, { n: 2 }, [1, 2]]);
    expect(problems.map((p) => [p.line, p.kind])).toEqual([
      [2, 'invalid_json'],
      [5, 'invalid_json'],
    ]);
    expect(problems[0]?.message).toBe(
      `${path}:2: not valid JSON (Unexpected token 'o', "not json" is not valid JSON); skipped`,
    );
  });

  it('checks records with parse and reports rejected ones', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    await writeFile(path, '{"pid":1}\n{"pid":"x"}\n{"pid":3}\n');
    const parse = (value: unknown) => {
      const pid = (value as { pid?: unknown }).pid;
      if (typeof pid !== 'number') throw new Error('"pid" must be a number');
      return pid;
    };
    const { records, problems } = await readJsonl(path, { parse });
    expect(records).toEqual([1, 3]);
    expect(problems).toEqual([
      {
        file: path,
        line: 2,
        kind: 'invalid_record',
        message: `${path}:2: invalid record ("pid" must be a number); skipped`,
      },
    ]);
  });

  it('skips a 3 MiB line over a 1 MiB limit and reads the lines after it', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    const huge = JSON.stringify({ blob: 'x'.repeat(3 * 1024 * 1024) });
    await writeFile(path, `{"n":1}\n${huge}\n{"n":2}\n`);
    const { records, problems } = await readJsonl(path, { maxLineBytes: 1024 * 1024 });
    expect(records).toEqual([{ n: 1 }, { n: 2 }]);
    expect(problems).toEqual([
      {
        file: path,
        line: 2,
        kind: 'too_long',
        message: `${path}:2: line of ${huge.length} bytes is over the 1048576-byte limit; skipped`,
      },
    ]);
  });

  it('reads lines over 64 KiB (the old reader stopped there) and lines across chunk boundaries', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    const records = Array.from({ length: 150 }, (_, i) => ({ i, pad: 'é'.repeat((i * 7919) % 100_000) }));
    await writeFile(path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    expect(await readJsonl(path)).toEqual({ records, problems: [] });
  });

  it('fails with an io error for a directory', async () => {
    const path = join(await tempDir(), 'dir.jsonl');
    await mkdir(path);
    await expect(readJsonl(path)).rejects.toMatchObject({
      code: 'io',
      file: path,
      message: `cannot read ${path} (EISDIR: illegal operation on a directory, read); check that it is a readable file`,
    });
  });
});
