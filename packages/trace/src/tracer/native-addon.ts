import { createRequire } from 'node:module';
import type { Observation } from './observation.js';

/** The JS API of @moat/trace-native (crates/trace-native), which this package loads optionally. */
export interface NativeTracerOptions {
  roots: number[];
  queueLimit?: number;
  realtime?: boolean;
  receiveBufferBytes?: number;
  pollIntervalMs?: number;
}

export type NativeEvent = Observation & {
  /** An exec found by a /proc rescan after lost events (timestamps approximate). */
  rescan?: boolean;
  /** An exit inferred because the pid vanished without an exit event. */
  synthetic?: boolean;
};

export interface NativeTracerStats {
  events: number;
  lost: number;
  dropped: number;
  rescans: number;
  tracked: number;
  realtime: boolean;
  receiveBufferBytes: number;
}

export interface NativeTracerHandle {
  start(): void;
  stop(): void;
  addRoot(pid: number): void;
  stats(): NativeTracerStats;
}

export type NativeTracerConstructor = new (
  options: NativeTracerOptions,
  onEvents: (events: NativeEvent[]) => void,
) => NativeTracerHandle;

export type NativeAddonLoad = { NativeTracer: NativeTracerConstructor } | { error: string };

let cached: NativeAddonLoad | undefined;

/**
 * Loads @moat/trace-native once. A missing package, a missing or broken binary, or an export of the
 * wrong shape is an `error` (the reason, for the user), never a throw.
 */
export function loadNativeAddon(): NativeAddonLoad {
  if (cached) return cached;
  try {
    const addon = createRequire(import.meta.url)('@moat/trace-native') as { NativeTracer?: unknown };
    cached =
      typeof addon.NativeTracer === 'function'
        ? { NativeTracer: addon.NativeTracer as NativeTracerConstructor }
        : { error: '@moat/trace-native loaded but has no NativeTracer class (version mismatch?)' };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    cached = {
      error:
        code === 'MODULE_NOT_FOUND'
          ? `the native addon @moat/trace-native is not built or not installed (${firstLine(error)})`
          : `the native addon @moat/trace-native failed to load (${firstLine(error)})`,
    };
  }
  return cached;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
