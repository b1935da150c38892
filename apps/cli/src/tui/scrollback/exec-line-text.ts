import { commandLine, type ExecEvent } from '@moat/trace';
import { type Style, styled, visible } from '../../format/terminal-text.js';
import { truncateToWidth } from '../../format/truncate.js';
import { exitText, formatDuration } from '../state/selectors.js';

const TONE_STYLES = { ok: 'green', failed: 'red', signal: 'magenta', other: 'gray' } as const;

/** One process's line as columns: the live pane renders them with Ink, the scrollback as text. */
export interface ExecLineCells {
  seq: string;
  exit: string;
  exitStyle: Style;
  duration: string;
  command: string;
  /** Said after the command when its argv is not exact, e.g. ` (truncated)`. */
  note: string;
}

export function execLineCells(event: ExecEvent, now: number): ExecLineCells {
  const exit = exitText(event);
  const running = event.duration_ms === null;
  const duration =
    event.duration_ms === null
      ? formatDuration(now - Date.parse(event.timestamp))
      : formatDuration(event.duration_ms);
  return {
    seq: `#${event.seq}`.padEnd(7),
    exit: exit.text.padEnd(9),
    exitStyle: running ? 'cyan' : TONE_STYLES[exit.tone],
    duration: `${duration.padStart(8)} `,
    command: visible(commandLine(event) || '(unknown command)'),
    note: event.argv_status === 'complete' ? '' : ` (${event.argv_status.replace('_', ' ')})`,
  };
}

/** A finished process as one terminal line of at most `columns` cells, coloured unless `color` is off. */
export function execLineText(event: ExecEvent, options: { columns: number; color: boolean }): string {
  const cells = execLineCells(event, 0);
  const { color } = options;
  const room = options.columns - cells.seq.length - cells.exit.length - cells.duration.length;
  const tail = cells.command + cells.note;
  const cut = truncateToWidth(tail, room);
  const shown = cut === tail ? cells.command + styled(cells.note, 'dim', color) : cut;
  return (
    styled(cells.seq, 'dim', color) +
    styled(cells.exit, cells.exitStyle, color) +
    styled(cells.duration, 'dim', color) +
    shown
  );
}
