/** The signals that end moat by default: Ctrl-C, a terminal closing, `kill`. */
const ENDING_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface StartInterruption {
  /** The agent runs (or the start failed): signals go back to the agent's forwarding. Idempotent. */
  dispose(): void;
}

/**
 * Until the agent runs, a signal that would end moat (Ctrl-C during a long first snapshot, a service
 * manager's SIGTERM) calls `onSignal` once instead of killing moat on the spot, so that the run can be
 * recorded as ended rather than left 'created' for ever. Later signals are ignored meanwhile: the
 * record takes milliseconds, and a second Ctrl-C must not cut it short.
 */
export function handleStartInterruption(onSignal: (signal: NodeJS.Signals) => void): StartInterruption {
  let interrupted = false;
  const handler = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    onSignal(signal);
  };
  for (const signal of ENDING_SIGNALS) process.on(signal, handler);
  return {
    dispose() {
      for (const signal of ENDING_SIGNALS) process.off(signal, handler);
    },
  };
}
