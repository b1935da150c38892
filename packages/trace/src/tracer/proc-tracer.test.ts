import { describe, expect, it } from 'vitest';
import { traceRun } from '../test-support/real-trace.js';
import { TraceError } from '../errors.js';
import { createTracer } from './create-tracer.js';
import type { NativeTracerConstructor } from './native-addon.js';
import { parseProcStat } from './proc-fs.js';

const linux = process.platform === 'linux';
if (!linux) console.warn(`/proc backend tests skipped: not Linux (${process.platform})`);

describe('parseProcStat', () => {
  it('reads comm with spaces and parentheses, ppid, start time and a zombie’s wait status', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'Z';
    fields[1] = '77';
    fields[19] = '12345';
    fields[49] = String(3 << 8);
    expect(parseProcStat(`42 (a (b) c) ${fields.join(' ')}`)).toEqual({
      pid: 42,
      comm: 'a (b) c',
      state: 'Z',
      ppid: 77,
      startTicks: 12345,
      exitStatus: 768,
    });
    expect(parseProcStat('garbage')).toBeUndefined();
  });
});

describe.runIf(linux)('/proc backend (real /proc)', () => {
  it('records the agent’s first exec and its longer-lived children, marked degraded', async () => {
    const run = await traceRun('proc', ['sh', '-c', 'sleep 0.4; /bin/sleep 0.3; exit 5']);
    expect(run.created).toMatchObject({ backend: 'proc', degraded: true });
    expect(run.created.reason).toMatch(/polling \/proc/);
    expect(run.events.map((e) => `${e.command} ${e.args.join(' ')}`)).toEqual([
      'sh -c sleep 0.4; /bin/sleep 0.3; exit 5',
      'sleep 0.4',
      'sleep 0.3',
    ]);
    expect(run.events[0]).toMatchObject({ pid: run.agentPid, ppid: process.pid, working_dir: process.cwd() });
    // Every process ended; exit codes are known only when a poll caught the zombie.
    for (const e of run.events) {
      expect(e.duration_ms).not.toBeNull();
      expect([null, e.pid === run.agentPid ? 5 : 0]).toContain(e.exit_code);
    }
    expect(run.events[1]?.duration_ms).toBeGreaterThan(300);
    const status = run.created.tracer.status();
    expect(status).toMatchObject({ backend: 'proc', degraded: true, agent: run.agentPid, running: false });
  });

  it('is the fallback when the native tracer may not start, and says why', async () => {
    const Refusing = class {
      start(): void {
        throw new Error('subscribe to process events: Operation not permitted (needs CAP_NET_ADMIN)');
      }
    } as unknown as NativeTracerConstructor;
    const { tracer, backend, degraded, reason } = await createTracer({ nativeTracer: Refusing });
    await tracer.stop();
    expect({ backend, degraded }).toEqual({ backend: 'proc', degraded: true });
    expect(reason).toMatch(
      /^the native tracer could not start: subscribe to process events: Operation not permitted/,
    );
  });

  it('refuses to force a native backend that cannot start, and a root that does not exist', async () => {
    const Broken = class {
      constructor() {
        throw new Error('boom');
      }
    } as unknown as NativeTracerConstructor;
    await expect(createTracer({ backend: 'native', nativeTracer: Broken })).rejects.toThrow(
      /cannot trace processes natively: .*boom/,
    );
    const error = await createTracer({ backend: 'proc', root: 2 ** 22 + 1 }).catch((e: unknown) => e);
    expect(TraceError.isInstance(error) && error.code).toBe('invalid');
  });
});
