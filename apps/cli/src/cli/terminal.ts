import { createInterface } from 'node:readline/promises';
import type { OnProgress, ProgressPhase } from '@moat/snapshot';

/** A person is at the keyboard: prompts make sense. */
export function isInteractive(): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true;
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR;
}

/** Asks a yes/no question on the terminal; anything but y or yes is no. */
export async function confirm(question: string): Promise<boolean> {
  const readline = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await readline.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    readline.close();
  }
}

const PHASE_WORDS: Record<ProgressPhase, string> = {
  scan: 'scanning',
  store: 'storing files',
  restore: 'restoring paths',
  verify: 'verifying blobs',
};

export interface Progress {
  /** Undefined off a terminal: the engine then reports nothing. */
  onProgress: OnProgress | undefined;
  /** Erases the progress line, before the command prints its result. */
  clear(): void;
}

/**
 * A transient progress line on stderr, only when stderr is a terminal; redrawn at most ten times a
 * second and erased before the result is printed, so that stdout stays clean.
 */
export function progressLine(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY !== true) return { onProgress: undefined, clear: () => {} };
  let last = 0;
  let shown = false;
  return {
    onProgress: (phase, done, total) => {
      const now = Date.now();
      if (now - last < 100 && done !== total) return;
      last = now;
      shown = true;
      stream.write(`\r\x1b[K${PHASE_WORDS[phase]} ${done}/${total}`);
    },
    clear: () => {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** Runs an engine operation with a progress line on a terminal, erased before the result is printed. */
export async function withProgress<T>(operation: (progress: Progress) => Promise<T>): Promise<T> {
  const progress = progressLine();
  try {
    return await operation(progress);
  } finally {
    progress.clear();
  }
}
