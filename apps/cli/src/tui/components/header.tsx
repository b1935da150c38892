import { Box, Text } from 'ink';
import type { HeaderView } from '../state/selectors.js';
import { usePaint } from './theme.js';

export function Header({ view }: { view: HeaderView }) {
  const paint = usePaint();
  const toneColor = view.tone === 'running' ? 'cyan' : view.tone === 'ok' ? 'green' : 'red';
  const tracerColor = view.tracerTone === 'ok' ? 'green' : view.tracerTone === 'warn' ? 'yellow' : 'gray';
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text wrap="truncate-end">
        <Text bold>moat watch </Text>
        <Text bold color={paint('cyan')}>
          {view.title}
        </Text>
        <Text> · </Text>
        <Text color={paint(toneColor)}>{view.status}</Text>
        <Text> · {view.elapsed}</Text>
        <Text dimColor> · {view.counts}</Text>
      </Text>
      <Text wrap="truncate-end">
        <Text dimColor>workspace </Text>
        {view.workspace}
      </Text>
      <Text wrap="truncate-end">
        <Text dimColor>snapshots </Text>
        {view.snapshotBackend}
        <Text dimColor> · tracing </Text>
        <Text color={paint(tracerColor)}>{view.tracer}</Text>
      </Text>
    </Box>
  );
}
