import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { appendFile, mkdir, rename, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/temp-dir.js';
import { type FollowJsonlOptions, followJsonl } from './follow-jsonl.js';
import { JsonlWriter } from './jsonl-writer.js';
import type { JsonlProblem } from './parse-line.js';

/** A follower whose records accumulate in `records`; `until(n)` waits for n of them. */
function follow<T = unknown>(path: string, options: FollowJsonlOptions<T> = {}) {
  const controller = new AbortController();
  const records: T[] = [];
  const problems: JsonlProblem[] = [];
  const done = (async () => {
    for await (const record of followJsonl<T>(path, {
      pollIntervalMs: 20,
      onProblem: (problem) => problems.push(problem),
      ...options,
      signal: controller.signal,
    })) {
      records.push(record);
    }
  })();
  return {
    records,
    problems,
    done,
    async until(count: number): Promise<void> {
      const deadline = Date.now() + 10_000;
      while (records.length < count) {
        if (Date.now() > deadline) throw new Error(`only ${records.length} of ${count} records arrived`);
        await sleep(10);
      }
    },
    async stop(): Promise<void> {
      controller.abort();
      await done;
    },
  };
}

/** Timers active in this process: a waiting follower holds exactly one (its poll timer). */
function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
}

/**
 * Resolves once `condition` holds, checking every few milliseconds: a test waits for the state it
 * needs instead of sleeping for a time that a loaded machine can exceed.
 */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(2);
  }
}

/** File descriptors of this process open on `path` (Linux; elsewhere none can be seen). */
function openFdsTo(path: string): string[] {
  if (!existsSync('/proc/self/fd')) return [];
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  });
}

describe('followJsonl', () => {
  it('yields the records already there, then those appended later, and ends on abort', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    await writeFile(path, '{"n":1}\n{"n":2}\n');
    const follower = follow(path);
    await follower.until(2);
    await appendFile(path, '{"n":3}\n');
    await follower.until(3);
    await appendFile(path, '{"n":4}\n{"n":5}\n');
    await follower.until(5);
    await follower.stop();
    expect(follower.records).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]);
    expect(follower.problems).toEqual([]);
  });

  it('waits for a file (and directory) created later', async () => {
    const dir = join(await tempDir(), 'later');
    const path = join(dir, 'exec.jsonl');
    const follower = follow(path);
    await sleep(100);
    expect(follower.records).toEqual([]);
    await mkdir(dir);
    await writeFile(path, '{"n":1}\n');
    await follower.until(1);
    await follower.stop();
    expect(follower.records).toEqual([{ n: 1 }]);
  });

  it('holds an incomplete last line until its newline arrives, without a problem', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    await writeFile(path, '{"n":1}\n{"n":');
    const follower = follow(path);
    await follower.until(1);
    await sleep(100);
    await appendFile(path, '2}\n');
    await follower.until(2);
    await follower.stop();
    expect(follower.records).toEqual([{ n: 1 }, { n: 2 }]);
    expect(follower.problems).toEqual([]);
  });

  it('starts again from the beginning when the file is truncated', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    await writeFile(path, '{"n":1}\n{"n":2}\n{"n":3}\n');
    const follower = follow(path);
    await follower.until(3);
    await truncate(path, 0);
    await appendFile(path, '{"m":1}\n');
    await follower.until(4);
    await follower.stop();
    expect(follower.records).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { m: 1 }]);
  });

  it('starts again from the beginning of a file renamed over the old one', async () => {
    const dir = await tempDir();
    const path = join(dir, 'exec.jsonl');
    await writeFile(path, '{"old":1}\n');
    const follower = follow(path);
    await follower.until(1);
    await writeFile(join(dir, 'next.jsonl'), '{"new":1}\n{"new":2}\n{"new":3}\n');
    await rename(join(dir, 'next.jsonl'), path);
    await follower.until(4);
    await follower.stop();
    expect(follower.records).toEqual([{ old: 1 }, { new: 1 }, { new: 2 }, { new: 3 }]);
  });

  it('reports bad lines through onProblem, with their line numbers, and goes on', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    await writeFile(path, '{"n":1}\ngarbage\n');
    const follower = follow(path);
    await follower.until(1);
    await appendFile(path, '{"n":\n{"n":2}\n');
    await follower.until(2);
    await follower.stop();
    expect(follower.records).toEqual([{ n: 1 }, { n: 2 }]);
    expect(follower.problems.map((p) => [p.line, p.kind])).toEqual([
      [2, 'invalid_json'],
      [3, 'invalid_json'],
    ]);
  });

  it('with fromStart false yields only what is appended, including the end of a line in progress', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    await writeFile(path, '{"n":1}\n{"n":2}\n{"n":');
    const timersBefore = activeTimers();
    const follower = follow(path, { fromStart: false });
    // Its first wait comes after it has passed over the existing lines: only then is anything "appended".
    await eventually(() => activeTimers() > timersBefore, 'the follower waits for new lines');
    await appendFile(path, '3}\nbad\n{"n":4}\n');
    await follower.until(2);
    await follower.stop();
    expect(follower.records).toEqual([{ n: 3 }, { n: 4 }]);
    expect(follower.problems).toMatchObject([{ line: 4, kind: 'invalid_json' }]);
  });

  it('keeps up with thousands of lines per second', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    const follower = follow<{ seq: number }>(path);
    const writer = await JsonlWriter.open(path);
    const total = 20_000;
    const started = Date.now();
    for (let batch = 0; batch < total; batch += 500) {
      await writer.appendMany(Array.from({ length: 500 }, (_, i) => ({ seq: batch + i, cmd: 'git status' })));
    }
    await writer.close();
    await follower.until(total);
    const elapsed = Date.now() - started;
    await follower.stop();
    expect(follower.records.map((r) => r.seq)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(elapsed).toBeLessThan(10_000);
  });

  it('ends at once when its signal is already aborted or aborts while it waits', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    await writeFile(path, '{"n":1}\n');
    const records: unknown[] = [];
    for await (const record of followJsonl(path, { signal: AbortSignal.abort() })) records.push(record);
    expect(records).toEqual([]);

    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    for await (const record of followJsonl(path, { signal: controller.signal, pollIntervalMs: 60_000 })) {
      records.push(record);
    }
    expect(records).toEqual([{ n: 1 }]);
    // The abort wakes the wait; the 60 s poll interval is not waited out.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('breaking out of the loop closes the file', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    await writeFile(path, '{"n":1}\n{"n":2}\n');
    const iterator = followJsonl(path);
    expect(await iterator.next()).toEqual({ done: false, value: { n: 1 } });
    expect(openFdsTo(path)).toHaveLength(process.platform === 'linux' ? 1 : 0);
    // What `break` in a for-await loop calls:
    expect(await iterator.return()).toEqual({ done: true, value: undefined });
    expect(openFdsTo(path)).toEqual([]);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('aborting while it waits clears its poll timer and closes the file', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    await writeFile(path, '{"n":1}\n');
    const before = activeTimers();
    const controller = new AbortController();
    const iterator = followJsonl(path, { signal: controller.signal, pollIntervalMs: 60_000 });
    expect(await iterator.next()).toEqual({ done: false, value: { n: 1 } });
    const waiting = iterator.next();
    await eventually(() => activeTimers() === before + 1, 'the follower waits with its poll timer');
    controller.abort();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(activeTimers()).toBe(before);
    expect(openFdsTo(path)).toEqual([]);
  });
});
