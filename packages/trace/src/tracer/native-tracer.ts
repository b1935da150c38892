import { BaseTracer } from './base-tracer.js';
import type { NativeEvent, NativeTracerConstructor, NativeTracerHandle } from './native-addon.js';
import { procParentOf } from './proc-fs.js';
import type { TracerStatus } from './tracer.js';

export interface NativeBackendOptions {
  root: number;
  awaitAgent: boolean;
  /** Passed to the addon: ask for a real-time reader thread when permitted. Default true. */
  realtime?: boolean;
}

/** The kernel-event backend: @moat/trace-native does the capture, this class applies the policy. */
export class NativeBackendTracer extends BaseTracer {
  readonly backend = 'native' as const;
  readonly #handle: NativeTracerHandle;

  /** Creates and starts the addon's tracer; throws the addon's error if it cannot start. */
  constructor(NativeTracer: NativeTracerConstructor, options: NativeBackendOptions) {
    super({ root: options.root, awaitAgent: options.awaitAgent, parentOf: procParentOf, self: process.pid });
    this.#handle = new NativeTracer(
      { roots: [options.root], realtime: options.realtime ?? true },
      (events: NativeEvent[]) => this.ingest(events),
    );
    this.#handle.start();
  }

  status(): TracerStatus {
    const stats = this.#handle.stats();
    return {
      backend: 'native',
      degraded: false,
      reason: null,
      lost: stats.lost + stats.dropped,
      backend_stats: { ...stats },
      ...this.baseStatus(),
    };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.#handle.stop();
    // Batches the reader thread queued before it stopped are delivered on the next loop turns.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    this.stopped = true;
  }
}
