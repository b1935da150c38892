import { Box, Text } from 'ink';
import type { FooterView } from '../state/selectors.js';
import { usePaint } from './theme.js';

export function Footer({ view, notices }: { view: FooterView; notices: readonly string[] }) {
  const paint = usePaint();
  return (
    <Box flexDirection="column">
      {notices.map((notice) => (
        <Text key={notice} color={paint('yellow')} wrap="truncate-end">
          ! {notice}
        </Text>
      ))}
      {view.prompt ? (
        <Text bold wrap="truncate-end">
          {view.prompt}
        </Text>
      ) : null}
      <Text dimColor wrap="truncate-end">
        {view.keys}
      </Text>
    </Box>
  );
}
