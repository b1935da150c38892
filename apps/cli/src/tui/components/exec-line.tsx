import type { ExecEvent } from '@moat/trace';
import { Box, Text } from 'ink';
import { execLineCells } from '../scrollback/exec-line-text.js';
import { usePaint } from './theme.js';

/** One process in the live pane: seq, how it ended (or that it runs), duration, command line. */
export function ExecLine({ event, now }: { event: ExecEvent; now: number }) {
  const paint = usePaint();
  const cells = execLineCells(event, now);
  return (
    <Box>
      <Text wrap="truncate-end">
        <Text dimColor>{cells.seq}</Text>
        <Text color={paint(cells.exitStyle)}>{cells.exit}</Text>
        <Text dimColor>{cells.duration}</Text>
        <Text>{cells.command}</Text>
        {cells.note ? <Text dimColor>{cells.note}</Text> : null}
      </Text>
    </Box>
  );
}
