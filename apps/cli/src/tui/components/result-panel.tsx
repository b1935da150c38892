import { Box, Text } from 'ink';
import { plural } from '../../format/plural.js';
import { diffCounts, diffPaths } from '../state/selectors.js';
import type { Panel } from '../state/watch-state.js';
import { usePaint } from './theme.js';

const MAX_PATHS = 8;

/** What the last command produced: a diff, a new snapshot, a restore with its undo, or an error. */
export function ResultPanel({ panel }: { panel: Panel }) {
  const paint = usePaint();
  switch (panel.kind) {
    case 'error':
      return <Text color={paint('red')}>✗ {panel.message}</Text>;
    case 'snapshot':
      return (
        <Text color={paint('green')}>
          ✓ snapshot {panel.record.id} taken ({plural(panel.record.files, 'file')}
          {panel.record.label ? `, "${panel.record.label}"` : ''})
        </Text>
      );
    case 'restored':
      return (
        <Box flexDirection="column" borderStyle="single" paddingX={1}>
          <Text color={paint('green')}>
            ✓ workspace restored to {panel.id}: {diffCounts(panel.changes)}
          </Text>
          <Text>
            undo: restore the safety snapshot <Text bold>{panel.safetyId}</Text> (select it and press r)
          </Text>
        </Box>
      );
    case 'diff': {
      const { diff } = panel;
      const total = diff.added.length + diff.modified.length + diff.deleted.length;
      const paths = diffPaths(diff, MAX_PATHS);
      const colors = { '+': 'green', '~': 'yellow', '-': 'red' } as const;
      return (
        <Box flexDirection="column" borderStyle="single" paddingX={1}>
          <Text>
            <Text bold>diff {panel.id} → workspace</Text>: {total === 0 ? 'no changes' : diffCounts(diff)}
          </Text>
          {paths.map(({ sign, path }) => (
            <Text key={`${sign}${path}`} color={paint(colors[sign])} wrap="truncate-end">
              {sign} {path}
            </Text>
          ))}
          {total > paths.length ? <Text dimColor>… and {total - paths.length} more (Esc closes)</Text> : null}
        </Box>
      );
    }
  }
}
