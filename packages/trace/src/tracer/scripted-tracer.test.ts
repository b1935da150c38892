import { describe, expect, it } from 'vitest';
import type { ExecUpdate } from '../event/exec-event.js';
import { TraceError } from '../errors.js';
import { ScriptedTracer } from './scripted-tracer.js';

describe('ScriptedTracer', () => {
  it('plays a script through the shared policy, with its own clock', () => {
    const tracer = new ScriptedTracer({ root: 1 });
    const seen: ExecUpdate[] = [];
    tracer.subscribe((updates) => seen.push(...updates));
    tracer
      .exec({ pid: 2, ppid: 1, argv: ['make', '-j8'] })
      .advance(1500)
      .exit({ pid: 2, exitCode: 2 });
    expect(seen.map((u) => [u.kind, u.event.command, u.event.exit_code, u.event.duration_ms])).toEqual([
      ['start', 'make', null, null],
      ['end', 'make', 2, 1500],
    ]);
    expect(seen[0]?.event.timestamp).toBe('2025-01-01T00:00:00.000Z');
  });

  it('delivers updates made before the first subscriber to it, and nothing after unsubscribe', () => {
    const tracer = new ScriptedTracer({ root: 1 });
    tracer.exec({ pid: 2, ppid: 1, argv: ['ls'] });
    const first: ExecUpdate[] = [];
    const unsubscribe = tracer.subscribe((u) => first.push(...u));
    expect(first).toHaveLength(1);
    unsubscribe();
    tracer.exit({ pid: 2 });
    expect(first).toHaveLength(1);
  });

  it('narrows to the agent once, and reports it in its status', async () => {
    const tracer = new ScriptedTracer({ root: 1, awaitAgent: true });
    const seen: ExecUpdate[] = [];
    tracer.subscribe((u) => seen.push(...u));
    tracer.exec({ pid: 5, ppid: 1, argv: ['agent'] }).exec({ pid: 6, ppid: 1, argv: ['git', 'status'] });
    expect(seen).toHaveLength(0);
    tracer.setAgent(5);
    expect(seen.map((u) => u.event.command)).toEqual(['agent']);
    expect(() => tracer.setAgent(5)).toThrow(TraceError);
    expect(() => tracer.setAgent(-1)).toThrow(/positive integer/);
    expect(tracer.status()).toMatchObject({ backend: 'scripted', degraded: false, agent: 5, running: true });
    await tracer.stop();
    tracer.exec({ pid: 7, ppid: 5, argv: ['late'] });
    expect(seen).toHaveLength(1);
    expect(tracer.status().running).toBe(false);
  });

  it('marks a kill by signal', () => {
    const tracer = new ScriptedTracer();
    const seen: ExecUpdate[] = [];
    tracer.subscribe((u) => seen.push(...u));
    tracer.exec({ pid: 1001, ppid: 1000, argv: ['sleep', '9'] }).exit({ pid: 1001, signal: 15 });
    expect(seen[1]?.event).toMatchObject({ exit_code: null, signal: 15 });
  });
});
