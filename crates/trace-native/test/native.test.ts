import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NativeEvent, NativeTracer as NativeTracerType, NativeTracerOptions } from '../dist/index.js';

const require = createRequire(import.meta.url);
const addonPath = join(import.meta.dirname, '..', 'dist', 'index.js');

let addon: { NativeTracer: typeof NativeTracerType } | undefined;
let loadError: unknown;
try {
  addon = require(addonPath);
} catch (error) {
  loadError = error;
}

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root (the proc connector tests need CAP_NET_ADMIN)';
  // On CI (Linux, root) a missing addon is a failure, not a skip.
  if (!addon && !process.env.CI) return `addon not built (${String(loadError)})`;
  return undefined;
}

const reason = skipReason();
if (reason) process.stdout.write(`trace-native: native tests skipped: ${reason}\n`);

const tracers: NativeTracerType[] = [];

function trace(options: Partial<NativeTracerOptions> = {}) {
  if (!addon) throw new Error(`@moat/trace-native addon missing: ${String(loadError)}`);
  const events: NativeEvent[] = [];
  const tracer = new addon.NativeTracer({ roots: [process.pid], ...options }, (batch) => {
    events.push(...batch);
  });
  tracers.push(tracer);
  return { tracer, events };
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function run(
  command: string,
  args: string[],
  cwd?: string,
): { child: ChildProcess; done: Promise<number | null> } {
  const child = spawn(command, args, { cwd, stdio: 'ignore' });
  const done = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
  return { child, done };
}

const execs = (events: NativeEvent[], pid: number) =>
  events.filter((e) => e.kind === 'exec' && e.pid === pid);
const exitOf = (events: NativeEvent[], pid: number) => events.find((e) => e.kind === 'exit' && e.pid === pid);

function readerThreads(): number {
  return readdirSync('/proc/self/task').filter((tid) => {
    try {
      return readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === 'moat-trace';
    } catch {
      return false;
    }
  }).length;
}

afterEach(() => {
  for (const tracer of tracers.splice(0)) tracer.stop();
});

describe.skipIf(reason)('NativeTracer (netlink proc connector, real kernel)', () => {
  it('records every exec from the first one, with argv, cwd and exit codes', async () => {
    const cwd = realpathSync(mkdtempSync(join(tmpdir(), 'trace-native-')));
    try {
      const { tracer, events } = trace();
      tracer.start();
      // sh lives long enough for its /proc entry to be read even on a loaded machine, as an agent does.
      const script = 'true; /bin/echo hi; /bin/sleep 0.2; exit 3';
      const { child, done } = run('sh', ['-c', script], cwd);
      expect(await done).toBe(3);
      const pid = child.pid as number;
      await waitFor(() => exitOf(events, pid) !== undefined);
      await waitFor(() => events.some((e) => e.kind === 'exit' && e.ppid === pid));

      const [sh] = execs(events, pid);
      expect(sh).toMatchObject({
        ppid: process.pid,
        argv: ['sh', '-c', script],
        argvStatus: 'complete',
        cwd,
        comm: 'sh',
      });
      expect(Math.abs(sh.wallMs - Date.now())).toBeLessThan(10_000);
      expect(sh.monotonicMs).toBeGreaterThan(0);

      const echo = events.find((e) => e.kind === 'exec' && e.ppid === pid);
      expect(echo).toBeDefined();
      // A 1 ms process may be gone before /proc is read: then only comm, never someone else's argv.
      if (echo?.argvStatus === 'complete') expect(echo).toMatchObject({ argv: ['/bin/echo', 'hi'], cwd });
      else expect(echo?.argv).toEqual(echo?.argvStatus === 'comm_only' ? ['echo'] : []);
      expect(exitOf(events, echo?.pid as number)).toMatchObject({ exitCode: 0, signal: null });
      expect(exitOf(events, pid)).toMatchObject({
        kind: 'exit',
        ppid: process.pid,
        exitCode: 3,
        signal: null,
      });
      expect(exitOf(events, pid)?.synthetic).toBeUndefined();
      expect((exitOf(events, pid)?.monotonicMs ?? 0) >= sh.monotonicMs).toBe(true);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('reports a signal death as signal, not exit code', async () => {
    const { tracer, events } = trace();
    tracer.start();
    const { child, done } = run('sh', ['-c', 'kill -9 $$']);
    await done;
    await waitFor(() => exitOf(events, child.pid as number) !== undefined);
    expect(exitOf(events, child.pid as number)).toMatchObject({ exitCode: null, signal: 9 });
  });

  it('never lends an argv across an exec that replaces the image', async () => {
    const { tracer, events } = trace();
    tracer.start();
    const { child, done } = run('sh', ['-c', 'exec /bin/sleep 0.1']);
    await done;
    const pid = child.pid as number;
    await waitFor(() => exitOf(events, pid) !== undefined);
    const [first, second] = execs(events, pid);
    expect(second).toMatchObject({ argv: ['/bin/sleep', '0.1'], argvStatus: 'complete', comm: 'sleep' });
    // The sh exec is either read correctly or marked unavailable, never given sleep's argv or comm.
    if (first.argvStatus === 'unavailable') expect(first).toMatchObject({ argv: [], comm: null, cwd: null });
    else expect(first).toMatchObject({ argv: ['sh', '-c', 'exec /bin/sleep 0.1'], comm: 'sh' });
  });

  it('loses no exec event in a storm of 10,000 execs', async () => {
    const { tracer, events } = trace();
    tracer.start();
    const n = 5000;
    const script = `i=0; while [ $i -lt ${n} ]; do /bin/true tbA $i; i=$((i+1)); done; i=0; while [ $i -lt ${n} ]; do /bin/sh -c 'exit 3' tbB $i; i=$((i+1)); done`;
    const started = Date.now();
    const { child, done } = run('sh', ['-c', script]);
    await done;
    const storm = child.pid as number;
    await waitFor(() => exitOf(events, storm) !== undefined, 30_000);
    const seconds = (Date.now() - started) / 1000;

    const children = events.filter((e) => e.kind === 'exec' && e.ppid === storm);
    const expected = new Set<string>();
    for (let i = 0; i < n; i++) {
      expected.add(JSON.stringify(['/bin/true', 'tbA', String(i)]));
      expected.add(JSON.stringify(['/bin/sh', '-c', 'exit 3', 'tbB', String(i)]));
    }
    const exact = new Set(
      children.filter((e) => e.argvStatus === 'complete').map((e) => JSON.stringify(e.argv)),
    );
    let exactHits = 0;
    for (const argv of exact) if (expected.has(argv)) exactHits++;
    const wrong = children.filter(
      (e) =>
        (e.argvStatus === 'complete' && !expected.has(JSON.stringify(e.argv))) ||
        (e.argvStatus === 'comm_only' && !['true', 'sh'].includes(e.argv?.[0] ?? '')) ||
        (e.argvStatus === 'unavailable' && e.argv?.length !== 0),
    );
    const exits3 = events.filter((e) => e.kind === 'exit' && e.ppid === storm && e.exitCode === 3).length;
    const stats = tracer.stats();
    const percent = (100 * exactHits) / (2 * n);
    process.stdout.write(
      `trace-native storm: ${children.length}/${2 * n} execs seen, exact argv ${exactHits} (${percent.toFixed(1)} %), ` +
        `comm_only ${children.filter((e) => e.argvStatus === 'comm_only').length}, ` +
        `unavailable ${children.filter((e) => e.argvStatus === 'unavailable').length}, exit 3 seen ${exits3}, ` +
        `${seconds.toFixed(1)} s, stats ${JSON.stringify(stats)}\n`,
    );
    if (children.length < 2 * n) {
      // Say which processes lack their exec, and what was reported for their pids instead.
      const seen = new Set(children.map((e) => e.pid));
      const missing = events.filter((e) => e.kind === 'exit' && e.ppid === storm && !seen.has(e.pid));
      const about = new Set(missing.map((e) => e.pid));
      process.stdout.write(
        `trace-native storm: missing execs: ${JSON.stringify(events.filter((e) => about.has(e.pid)))}\n`,
      );
    }
    expect(children.length).toBeGreaterThanOrEqual(2 * n);
    expect(wrong).toEqual([]);
    expect(exits3).toBe(n);
    expect(stats.dropped).toBe(0);
    // SCHED_FIFO reader measured 97-100 % (trace-anchors §2.2); keep a floor that holds under load.
    expect(percent).toBeGreaterThanOrEqual(stats.realtime ? 90 : 25);
  });

  it('counts events dropped for a stalled JavaScript consumer instead of crashing', async () => {
    const { tracer, events } = trace({ queueLimit: 64 });
    tracer.start();
    const { done } = run('sh', ['-c', 'i=0; while [ $i -lt 3000 ]; do /bin/true $i; i=$((i+1)); done']);
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      // Block the event loop: no batch can be delivered meanwhile.
    }
    await done;
    await waitFor(() => tracer.stats().dropped > 0);
    const stats = tracer.stats();
    process.stdout.write(
      `trace-native stalled consumer: ${events.length} received, stats ${JSON.stringify(stats)}\n`,
    );
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.events).toBeGreaterThan(0);
  });

  it('tracks a subtree added with addRoot while running', async () => {
    const { tracer, events } = trace({ roots: [] });
    tracer.start();
    const { child, done } = run('sh', ['-c', 'sleep 0.5; /bin/echo late']);
    const pid = child.pid as number;
    tracer.addRoot(pid);
    await done;
    await waitFor(() => exitOf(events, pid) !== undefined);
    expect(execs(events, pid).length).toBeGreaterThanOrEqual(1);
    expect(events.some((e) => e.kind === 'exec' && e.ppid === pid && e.comm === 'echo')).toBe(true);
    expect(() => tracer.addRoot(0)).toThrow(/invalid pid/);
  });

  it('start and stop are idempotent and stop leaves no reader thread', async () => {
    const baseline = readerThreads();
    const { tracer } = trace();
    const tasks = () => readdirSync('/proc/self/task').length;
    const baselineTasks = tasks();
    tracer.start();
    tracer.start();
    // The thread names itself once running.
    await waitFor(() => readerThreads() === baseline + 1, 2000);
    expect(tasks()).toBe(baselineTasks + 1);
    const stats = tracer.stats();
    expect(stats.receiveBufferBytes).toBeGreaterThan(0);
    tracer.stop();
    tracer.stop();
    expect(readerThreads()).toBe(baseline);
    expect(tasks()).toBe(baselineTasks);
    tracer.start();
    await waitFor(() => readerThreads() === baseline + 1, 2000);
    tracer.stop();
    expect(readerThreads()).toBe(baseline);
    expect(tasks()).toBe(baselineTasks);
  });

  it.each([
    ['stops', 't.stop();'],
    ['never stops', ''],
  ])('a Node process whose tracer %s exits by itself', (_name, stop) => {
    const script = `const { NativeTracer } = require(${JSON.stringify(addonPath)});
      const t = new NativeTracer({ roots: [process.pid] }, () => {});
      t.start();
      require('node:child_process').execFileSync('/bin/true');
      ${stop}`;
    const result = spawnSync(process.execPath, ['-e', script], { timeout: 15_000, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
  });
});
