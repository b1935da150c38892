import type { ExecUpdate } from '@moat/trace';
import type { WatchAction } from '../state/watch-state.js';

export interface Batcher {
  push(action: WatchAction): void;
  /** Dispatches what is queued now. */
  flush(): void;
  /** Flushes and stops. */
  close(): void;
}

/**
 * Collects actions from the sources and dispatches them as one `batch` at most every `intervalMs`
 * (one render per batch: ~10 per second by default, however fast a build spawns processes). Exec
 * updates in a batch are merged into one action.
 */
export function createBatcher(dispatch: (action: WatchAction) => void, intervalMs = 100): Batcher {
  let queue: WatchAction[] = [];
  let timer: NodeJS.Timeout | undefined;
  let lastFlush = 0;
  let closed = false;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    lastFlush = Date.now();
    if (queue.length === 0) return;
    const actions = mergeExec(queue);
    queue = [];
    dispatch(actions.length === 1 && actions[0] ? actions[0] : { type: 'batch', actions });
  };

  return {
    push(action) {
      if (closed) return;
      queue.push(action);
      if (timer) return;
      timer = setTimeout(flush, Math.max(0, lastFlush + intervalMs - Date.now()));
    },
    flush,
    close() {
      flush();
      closed = true;
    },
  };
}

/** Consecutive exec actions become one, so a burst of updates is one pass of the reducer. */
export function mergeExec(actions: readonly WatchAction[]): WatchAction[] {
  const merged: WatchAction[] = [];
  for (const action of actions) {
    const last = merged.at(-1);
    if (action.type === 'exec' && last?.type === 'exec') {
      merged[merged.length - 1] = {
        type: 'exec',
        updates: [...last.updates, ...action.updates] as ExecUpdate[],
      };
    } else merged.push(action);
  }
  return merged;
}
