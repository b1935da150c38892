import { TraceError } from '../errors.js';
import { checkPid } from './base-tracer.js';
import { loadNativeAddon, type NativeTracerConstructor } from './native-addon.js';
import { NativeBackendTracer } from './native-tracer.js';
import { ProcBackendTracer } from './proc-tracer.js';
import type { Tracer } from './tracer.js';

export interface CreateTracerOptions {
  /** Whose subtree to trace. Default: this process (`process.pid`), for a supervisor about to spawn. */
  root?: number;
  /**
   * Hold updates until `tracer.setAgent(pid)`, then keep only the agent's subtree. Use it when
   * `root` is the supervisor: Node's spawn() returns the child's pid after the child exec'd.
   */
  awaitAgent?: boolean;
  /** `auto` (default): native when it loads and starts, else /proc. `native`/`proc` force one. */
  backend?: 'auto' | 'native' | 'proc';
  /** Scan interval of the /proc fallback. Default 50 ms. */
  pollIntervalMs?: number;
  /** For tests: the addon's tracer class to use instead of loading @moat/trace-native. */
  nativeTracer?: NativeTracerConstructor;
}

export interface CreatedTracer {
  /** Started: it is already recording. */
  tracer: Tracer;
  backend: 'native' | 'proc';
  /** True for the /proc fallback: short processes can be missed and exit codes are mostly unknown. */
  degraded: boolean;
  /** Why this backend was chosen, in one line for the user. */
  reason: string;
}

/**
 * Picks the best tracer available here and starts it: the native addon (Linux proc connector,
 * macOS sysctl) when it loads and may start, else the /proc polling fallback (Linux), which is
 * degraded. Throws a TraceError 'unavailable' (with every reason) when neither can run.
 */
export async function createTracer(options: CreateTracerOptions = {}): Promise<CreatedTracer> {
  const root = options.root ?? process.pid;
  checkPid(root, 'root');
  const awaitAgent = options.awaitAgent ?? false;
  const wanted = options.backend ?? 'auto';
  let nativeProblem = 'the /proc backend was requested';
  if (wanted !== 'proc') {
    const load = options.nativeTracer ? { NativeTracer: options.nativeTracer } : loadNativeAddon();
    if ('NativeTracer' in load) {
      try {
        const tracer = new NativeBackendTracer(load.NativeTracer, { root, awaitAgent });
        return { tracer, backend: 'native', degraded: false, reason: 'kernel process events (native addon)' };
      } catch (error) {
        nativeProblem = `the native tracer could not start: ${firstLine(error)}`;
      }
    } else {
      nativeProblem = load.error;
    }
    if (wanted === 'native') {
      throw new TraceError('unavailable', `cannot trace processes natively: ${nativeProblem}`);
    }
  }
  if (process.platform !== 'linux') {
    throw new TraceError(
      'unavailable',
      `cannot trace processes: ${nativeProblem}, and the /proc fallback needs Linux (this is ${process.platform})`,
    );
  }
  const reason = `${nativeProblem}; polling /proc instead, which can miss processes shorter than the poll interval and rarely knows exit codes`;
  const tracer = new ProcBackendTracer({
    root,
    awaitAgent,
    reason,
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
  });
  return { tracer, backend: 'proc', degraded: true, reason };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
