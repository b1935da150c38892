import { spawn } from 'node:child_process';
import type { ExecEvent, ExecUpdate } from '../event/exec-event.js';
import { type CreatedTracer, createTracer } from '../tracer/create-tracer.js';
import { loadNativeAddon } from '../tracer/native-addon.js';

/**
 * Whether the real-kernel tests can run here, and why not. On CI (Linux, root) they must run: a
 * missing addon is then a failure, not a skip.
 */
export function nativeAvailability(): { available: boolean; reason: string; mustRun: boolean } {
  const mustRun = process.env.CI !== undefined && process.platform === 'linux' && process.getuid?.() === 0;
  if (process.platform !== 'linux')
    return { available: false, reason: `not Linux (${process.platform})`, mustRun };
  const load = loadNativeAddon();
  if ('error' in load) return { available: false, reason: load.error, mustRun };
  return { available: true, reason: '', mustRun };
}

export interface TracedRun {
  created: CreatedTracer;
  agentPid: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Merged events (one per seq), in seq order. */
  events: ExecEvent[];
  updates: ExecUpdate[];
}

/**
 * What `moat run` will do: trace this process, spawn the agent, narrow to it, wait for it to end
 * and for its own end event to arrive, then stop.
 */
export async function traceRun(
  backend: 'native' | 'proc',
  argv: string[],
  options: { beforeSpawn?: () => void; settleMs?: number } = {},
): Promise<TracedRun> {
  const created = await createTracer({ backend, awaitAgent: true, pollIntervalMs: 20 });
  const { tracer } = created;
  const updates: ExecUpdate[] = [];
  const merged = new Map<number, ExecEvent>();
  tracer.subscribe((batch) => {
    for (const u of batch) {
      updates.push(u);
      merged.set(u.event.seq, u.event);
    }
  });
  try {
    options.beforeSpawn?.();
    const [command = '', ...args] = argv;
    const child = spawn(command, args, { stdio: 'ignore' });
    const agentPid = child.pid as number;
    tracer.setAgent(agentPid);
    const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('exit', (code, sig) => resolve([code, sig])),
    );
    const agentEnded = () => [...merged.values()].some((e) => e.pid === agentPid && e.duration_ms !== null);
    const deadline = Date.now() + 10_000;
    while (!agentEnded() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, options.settleMs ?? 100));
    return {
      created,
      agentPid,
      exitCode,
      signal,
      events: [...merged.values()].sort((a, b) => a.seq - b.seq),
      updates,
    };
  } finally {
    await tracer.stop();
  }
}
