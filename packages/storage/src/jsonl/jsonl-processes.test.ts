import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startChild } from '../test-support/children.js';
import { tempDir } from '../test-support/temp-dir.js';
import { followJsonl } from './follow-jsonl.js';
import { readJsonl } from './read-jsonl.js';

interface Appended {
  writer: string;
  seq: number;
  pad: string;
}

describe('JSONL across processes', () => {
  it('concurrent appenders in several processes never interleave within a line', async () => {
    const dir = await tempDir();
    const path = join(dir, 'exec.jsonl');
    const go = join(dir, 'go');
    const writers = ['a', 'b', 'c'];
    const perWriter = 2000;
    const children = writers.map((writer) =>
      startChild('jsonl-append.mjs', [path, writer, String(perWriter), '0', go, String(writers.length)]),
    );
    await Promise.all(children.map((child) => child.waitForLine('ready')));
    await writeFile(go, '');
    for (const child of children) expect((await child.exited).code).toBe(0);
    const { records, problems } = await readJsonl<Appended>(path);
    expect(problems).toEqual([]);
    expect(records).toHaveLength(writers.length * perWriter);
    // The writers really ran at the same time (they wait for each other halfway): their lines alternate.
    const switches = records.filter((r, i) => i > 0 && r.writer !== records[i - 1]?.writer).length;
    expect(switches).toBeGreaterThan(writers.length);
    for (const writer of writers) {
      const mine = records.filter((r) => r.writer === writer);
      // Every record arrived intact and, per writer, in append order.
      expect(mine.map((r) => r.seq)).toEqual(Array.from({ length: perWriter }, (_, i) => i));
      expect(mine.every((r) => r.pad === 'x'.repeat((r.seq * 997) % 5000))).toBe(true);
    }
  });

  it('a follower receives, in order, every line another process appends over about a second', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    const total = 100;
    const controller = new AbortController();
    const appender = startChild('jsonl-append.mjs', [path, 'w', String(total), '10']);
    const received: Appended[] = [];
    for await (const record of followJsonl<Appended>(path, { signal: controller.signal })) {
      received.push(record);
      if (received.length === total) controller.abort();
    }
    expect(received.map((r) => r.seq)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect((await appender.exited).code).toBe(0);
  });

  it.each(['break', 'abort'])(
    'a process that follows a file and stops by %s exits by itself',
    async (how) => {
      const path = join(await tempDir(), 'exec.jsonl');
      const follower = startChild('jsonl-follow.mjs', [path, how]);
      await writeFile(path, '{"n":1}\n');
      const result = await follower.exited;
      expect(result).toMatchObject({ code: 0, stdout: '{"n":1}\ndone\n' });
    },
  );
});
