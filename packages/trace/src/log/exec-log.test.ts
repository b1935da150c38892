import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExecUpdate } from '../event/exec-event.js';
import { tempDir } from '../test-support/temp-dir.js';
import { ScriptedTracer } from '../tracer/scripted-tracer.js';
import { ExecLogWriter, followExecLog, readExecLog } from './exec-log.js';

function scriptedUpdates(): ExecUpdate[] {
  const tracer = new ScriptedTracer({ root: 1 });
  const updates: ExecUpdate[] = [];
  tracer.subscribe((u) => updates.push(...u));
  tracer
    .exec({ pid: 2, ppid: 1, argv: ['sh', '-c', 'pnpm build'] })
    .advance(1)
    .exec({ pid: 3, ppid: 2, argv: ['pnpm', 'build'] })
    .advance(2500)
    .exit({ pid: 3, exitCode: 0 })
    .exec({ pid: 4, ppid: 2, argv: ['sleep', '100'] });
  return updates;
}

describe('exec.jsonl', () => {
  it('writes a start and an end record per process, which the reader merges', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    const log = await ExecLogWriter.open(path);
    await log.write(scriptedUpdates());
    await log.close();
    const lines = (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => `${l.record} ${l.seq}`)).toEqual(['start 1', 'start 2', 'end 2', 'start 3']);
    expect(lines[0]).toEqual({
      v: 1,
      record: 'start',
      seq: 1,
      timestamp: '2025-01-01T00:00:00.000Z',
      pid: 2,
      ppid: 1,
      command: 'sh',
      args: ['-c', 'pnpm build'],
      argv_status: 'complete',
      working_dir: '/work',
      exit_code: null,
      signal: null,
      duration_ms: null,
    });
    const { events, problems } = await readExecLog(path);
    expect(problems).toEqual([]);
    expect(events.map((e) => [e.seq, e.command, e.exit_code, e.duration_ms])).toEqual([
      [1, 'sh', null, null],
      [2, 'pnpm', 0, 2500],
      [3, 'sleep', null, null],
    ]);
  });

  it('tolerates a torn last line, bad lines and records of a newer format', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    const log = await ExecLogWriter.open(path);
    await log.write(scriptedUpdates());
    await log.close();
    await appendFile(path, '{"v":2,"record":"start","seq":9}\nnot json\n{"v":1,"record":"end","seq":4,"pid');
    const { events, problems } = await readExecLog(path);
    expect(events).toHaveLength(3);
    expect(problems.map((p) => p.kind)).toEqual(['invalid_record', 'invalid_json', 'torn']);
    expect(problems[0]?.message).toMatch(/newer moat; upgrade moat/);
  });

  it('reads an end record whose start was lost, and a missing file as empty', async () => {
    const dir = await tempDir();
    const path = join(dir, 'exec.jsonl');
    const end = scriptedUpdates().filter((u) => u.kind === 'end');
    const log = await ExecLogWriter.open(path);
    await log.write(end);
    await log.close();
    expect((await readExecLog(path)).events.map((e) => e.command)).toEqual(['pnpm']);
    expect(await readExecLog(join(dir, 'none.jsonl'))).toEqual({ events: [], problems: [] });
  });

  it('reads the seed’s "args": null as no arguments', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    const record = {
      ...JSON.parse(JSON.stringify({ v: 1, record: 'start', seq: 1, timestamp: 't', pid: 1, ppid: 0 })),
      command: 'ls',
      args: null,
      argv_status: 'complete',
      working_dir: null,
      exit_code: null,
      signal: null,
      duration_ms: null,
    };
    await writeFile(path, `${JSON.stringify(record)}\n`);
    expect((await readExecLog(path)).events[0]?.args).toEqual([]);
  });

  it('follows the log live: a start, then its end, while a writer appends', async () => {
    const path = join(await tempDir(), 'exec.jsonl');
    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const update of followExecLog(path, { signal: controller.signal, pollIntervalMs: 20 })) {
        seen.push(`${update.kind} ${update.event.seq} ${update.event.command} ${update.event.exit_code}`);
        if (seen.length === 4) controller.abort();
      }
    })();
    const log = await ExecLogWriter.open(path);
    const updates = scriptedUpdates();
    await log.write(updates.slice(0, 2));
    await new Promise((r) => setTimeout(r, 50));
    await log.write([...updates.slice(2), updates[2] as ExecUpdate]); // a repeated end is ignored
    await log.close();
    await following;
    expect(seen).toEqual(['start 1 sh null', 'start 2 pnpm null', 'end 2 pnpm 0', 'start 3 sleep null']);
  });
});
