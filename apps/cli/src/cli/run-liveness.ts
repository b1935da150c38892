import type { RunRecord } from '@moat/storage';

/**
 * A run whose agent process is still alive. A `running` record whose pid is gone is not: moat died
 * before it could mark the run ended.
 */
export function isRunLive(run: Pick<RunRecord, 'state' | 'pid'>): boolean {
  if (run.state !== 'running' || run.pid === null) return false;
  try {
    process.kill(run.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A run recorded as running whose agent is gone: moat was killed (or the machine stopped) before it
 * could record the end. Its snapshots and trace up to then are intact.
 */
export function isRunLost(run: Pick<RunRecord, 'state' | 'pid'>): boolean {
  return run.state === 'running' && run.pid !== null && !isRunLive(run);
}
