import type { ExecEvent } from '@moat/trace';
import { useStdout } from 'ink';
import { useLayoutEffect, useRef } from 'react';
import { styled } from '../../format/terminal-text.js';
import { execLineText } from './exec-line-text.js';

/**
 * Finished processes, each printed once into the terminal's scrollback above the live region.
 *
 * Written as text through Ink's `write` rather than `<Static>`: at thousands of processes a second,
 * laying out and re-tokenizing every line through Ink cost most of a core, and Ink keeps every
 * `<Static>` line in memory for the life of the app. State keeps only the latest `events` of
 * `total`, so what was printed is tracked in absolute numbers: trimming the front of `events` can
 * never re-print or skip one. Processes trimmed before they could be printed (a burst larger than
 * what state keeps) are counted in one line.
 */
export function ExecLog({
  events,
  total,
  color,
}: {
  events: readonly ExecEvent[];
  total: number;
  color: boolean;
}) {
  const { stdout, write } = useStdout();
  const printed = useRef(0);
  useLayoutEffect(() => {
    const unprinted = total - printed.current;
    if (unprinted <= 0) return;
    const kept = Math.min(events.length, unprinted);
    const columns = stdout.columns || 80;
    const lines: string[] = [];
    if (unprinted > kept)
      lines.push(styled(`… ${unprinted - kept} more finished (too many at once to show)`, 'dim', color));
    for (const event of events.slice(events.length - kept))
      lines.push(execLineText(event, { columns, color }));
    write(`${lines.join('\n')}\n`);
    printed.current = total;
  }, [events, total, color, stdout, write]);
  return null;
}
