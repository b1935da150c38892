import { commandLine, type ExecEvent } from '@moat/trace';
import { Box, Text } from 'ink';
import { exitText, formatDuration } from '../state/selectors.js';
import { usePaint } from './theme.js';

const TONE_COLORS = { ok: 'green', failed: 'red', signal: 'magenta', other: 'gray' } as const;

/** One process: seq, how it ended (or that it runs), duration, command line. */
export function ExecLine({ event, now }: { event: ExecEvent; now: number }) {
  const paint = usePaint();
  const exit = exitText(event);
  const duration =
    event.duration_ms === null
      ? formatDuration(now - Date.parse(event.timestamp))
      : formatDuration(event.duration_ms);
  const line = commandLine(event) || '(unknown command)';
  return (
    <Box>
      <Text wrap="truncate-end">
        <Text dimColor>{`#${event.seq}`.padEnd(7)}</Text>
        <Text color={paint(event.duration_ms === null ? 'cyan' : TONE_COLORS[exit.tone])}>
          {exit.text.padEnd(9)}
        </Text>
        <Text dimColor>{duration.padStart(8)} </Text>
        <Text>{line}</Text>
        {event.argv_status === 'complete' ? null : (
          <Text dimColor> ({event.argv_status.replace('_', ' ')})</Text>
        )}
      </Text>
    </Box>
  );
}
