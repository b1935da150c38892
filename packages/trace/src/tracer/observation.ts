import type { ArgvStatus } from '../event/exec-event.js';

/**
 * What a backend saw, before any policy: the shape of the native addon's events, which the /proc
 * fallback and the scripted tracer produce too. `monotonicMs` values of one backend share a clock.
 */
export type Observation = ExecObservation | ExitObservation;

export interface ExecObservation {
  kind: 'exec';
  pid: number;
  ppid: number;
  monotonicMs: number;
  wallMs: number;
  argv?: string[] | undefined;
  argvStatus?: ArgvStatus | undefined;
  cwd?: string | null | undefined;
  comm?: string | null | undefined;
  /** Found by a /proc scan rather than an exec event: it may be a fork that has not exec'd yet. */
  rescan?: boolean | undefined;
}

export interface ExitObservation {
  kind: 'exit';
  pid: number;
  ppid?: number | undefined;
  monotonicMs: number;
  wallMs: number;
  exitCode?: number | null | undefined;
  signal?: number | null | undefined;
}
